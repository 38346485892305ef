-- Delivery monitoring schema (seed 001). Times are UTC, RFC 3339 text on SQLite.
CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    password TEXT NOT NULL,
    user_department TEXT NOT NULL,
    user_role TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE postal_codes (
    postal_code TEXT PRIMARY KEY,
    city TEXT NOT NULL,
    county TEXT NOT NULL,
    district TEXT NOT NULL
);

CREATE TABLE postal_code_details (
    postal_code TEXT NOT NULL REFERENCES postal_codes (postal_code) ON DELETE CASCADE,
    warehouse TEXT NOT NULL,
    distance INTEGER NOT NULL,
    duration_time INTEGER NOT NULL,
    PRIMARY KEY (postal_code, warehouse)
);

CREATE TABLE dashboards (
    dashboard_id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_no TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    department TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    sla TEXT NOT NULL,
    eta TEXT NOT NULL,
    create_time TEXT NOT NULL,
    depart_time TEXT,
    complete_time TEXT,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    county TEXT NOT NULL,
    district TEXT NOT NULL,
    distance INTEGER,
    duration_time INTEGER,
    address TEXT NOT NULL,
    customer TEXT NOT NULL,
    contact TEXT,
    driver_name TEXT,
    driver_contact TEXT,
    created_by TEXT,
    updated_at TEXT NOT NULL,
    CONSTRAINT dashboards_order_unique UNIQUE (order_no, type, department)
);
CREATE INDEX dashboards_eta ON dashboards (eta);
CREATE INDEX dashboards_create_time ON dashboards (create_time);

CREATE TABLE dashboard_remarks (
    remark_id INTEGER PRIMARY KEY AUTOINCREMENT,
    dashboard_id INTEGER NOT NULL REFERENCES dashboards (dashboard_id) ON DELETE CASCADE,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT
);
CREATE INDEX dashboard_remarks_dashboard ON dashboard_remarks (dashboard_id);

CREATE TABLE dashboard_locks (
    dashboard_id INTEGER PRIMARY KEY REFERENCES dashboards (dashboard_id) ON DELETE CASCADE,
    locked_by TEXT NOT NULL,
    lock_type TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX dashboards_order_no ON dashboards (order_no);
