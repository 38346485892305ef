// The console's words, Korean first (the seed's operators) and English. Elements
// name their text with data-i18n (and data-i18n-placeholder); everything drawn
// by script asks t().

const WORDS = {
  ko: {
    'app.title': '배송 관제',
    'login.user': '아이디',
    'login.password': '비밀번호',
    'login.submit': '로그인',
    'login.expired': '세션이 만료되었습니다. 다시 로그인하세요.',
    'tab.orders': '주문',
    'tab.stats': '통계',
    'session.logout': '로그아웃',
    'live.on': '실시간',
    'live.off': '연결 끊김',
    'live.connecting': '연결 중',
    'filter.from': '시작일',
    'filter.to': '종료일',
    'filter.find': '찾기',
    'filter.find_hint': '주문번호, 고객, 기사, 지역',
    'filter.apply': '조회',
    'filter.all': '전체',
    'action.new': '새 주문',
    'action.assign': '기사 배정',
    'action.excel': '엑셀',
    'action.edit': '편집',
    'action.save': '저장',
    'action.cancel': '취소',
    'action.create': '등록',
    'action.release': '잠금 해제',
    'list.count': '{n}건',
    'list.shown': '{n}건 중 {m}건 표시',
    'list.selected': '{n}건 선택',
    'list.empty': '이 기간에 주문이 없습니다',
    'field.order_no': '주문번호',
    'field.type': '유형',
    'field.status': '상태',
    'field.department': '부서',
    'field.warehouse': '창고',
    'field.eta': '도착 예정',
    'field.customer': '고객',
    'field.region': '지역',
    'field.driver_name': '기사',
    'field.driver_contact': '기사 연락처',
    'field.editing': '편집 중',
    'field.sla': 'SLA',
    'field.postal_code': '우편번호',
    'field.address': '주소',
    'field.contact': '연락처',
    'field.create_time': '생성',
    'field.depart_time': '출발',
    'field.complete_time': '완료',
    'field.distance': '거리',
    'field.duration_time': '소요 시간',
    'field.created_by': '작성자',
    'status.WAITING': '대기',
    'status.IN_PROGRESS': '배송 중',
    'status.COMPLETE': '완료',
    'status.ISSUE': '이슈',
    'status.CANCEL': '취소',
    'type.DELIVERY': '배송',
    'type.RETURN': '회수',
    'warehouse.SEOUL': '서울',
    'warehouse.BUSAN': '부산',
    'warehouse.GWANGJU': '광주',
    'warehouse.DAEJEON': '대전',
    'lock.mine': '내가 편집 중 · {left} 남음',
    'lock.other': '{who} 님이 편집 중 · {left} 남음 · 읽기 전용',
    'lock.taken': '{who} 님이 편집 중입니다',
    'lock.row': '{who} 편집 중',
    'status.to': '→ {s}',
    'status.changed': '{no}: {s}(으)로 변경했습니다',
    'remark.title': '비고',
    'remark.hint': '비고 추가',
    'remark.add': '추가',
    'remark.edit': '수정',
    'remark.save': '저장',
    'remark.edited': '수정됨',
    'remark.empty': '(내용 없음)',
    'create.title': '새 주문',
    'create.postal_hint': '우편번호 또는 지역명으로 찾기',
    'create.postal_unknown': '없는 우편번호입니다',
    'create.postal_info': '{region} · {wh}에서 {km}km, {min}분',
    'create.done': '{no} 주문을 등록했습니다',
    'assign.title': '기사 배정',
    'assign.what': '선택한 {n}건: {nos}',
    'assign.done': '{n}건에 기사를 배정했습니다',
    'saved': '저장했습니다',
    'stats.status': '상태별 주문',
    'stats.hourly': '시간대별 주문',
    'stats.total': '합계 {n}건 · {from} ~ {to}',
    'stats.note': '통계는 주문 생성 시각 기준입니다',
    'excel.done': '엑셀 파일을 내려받았습니다',
    'error.network': '서버에 연결할 수 없습니다',
    'unit.km': 'km',
    'unit.min': '분',
  },
  en: {
    'app.title': 'Delivery control room',
    'login.user': 'User ID',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.expired': 'Your session has ended. Please log in again.',
    'tab.orders': 'Orders',
    'tab.stats': 'Statistics',
    'session.logout': 'Log out',
    'live.on': 'Live',
    'live.off': 'Offline',
    'live.connecting': 'Connecting',
    'filter.from': 'From',
    'filter.to': 'To',
    'filter.find': 'Find',
    'filter.find_hint': 'Order no., customer, driver, region',
    'filter.apply': 'Apply',
    'filter.all': 'All',
    'action.new': 'New order',
    'action.assign': 'Assign driver',
    'action.excel': 'Excel',
    'action.edit': 'Edit',
    'action.save': 'Save',
    'action.cancel': 'Cancel',
    'action.create': 'Create',
    'action.release': 'Release lock',
    'list.count': '{n} orders',
    'list.shown': '{m} of {n} orders',
    'list.selected': '{n} selected',
    'list.empty': 'No orders in this range',
    'field.order_no': 'Order no.',
    'field.type': 'Type',
    'field.status': 'Status',
    'field.department': 'Dept.',
    'field.warehouse': 'Warehouse',
    'field.eta': 'ETA',
    'field.customer': 'Customer',
    'field.region': 'Region',
    'field.driver_name': 'Driver',
    'field.driver_contact': 'Driver contact',
    'field.editing': 'Editing',
    'field.sla': 'SLA',
    'field.postal_code': 'Postal code',
    'field.address': 'Address',
    'field.contact': 'Contact',
    'field.create_time': 'Created',
    'field.depart_time': 'Departed',
    'field.complete_time': 'Completed',
    'field.distance': 'Distance',
    'field.duration_time': 'Duration',
    'field.created_by': 'Created by',
    'status.WAITING': 'Waiting',
    'status.IN_PROGRESS': 'In progress',
    'status.COMPLETE': 'Complete',
    'status.ISSUE': 'Issue',
    'status.CANCEL': 'Cancelled',
    'type.DELIVERY': 'Delivery',
    'type.RETURN': 'Return',
    'warehouse.SEOUL': 'Seoul',
    'warehouse.BUSAN': 'Busan',
    'warehouse.GWANGJU': 'Gwangju',
    'warehouse.DAEJEON': 'Daejeon',
    'lock.mine': 'You are editing · {left} left',
    'lock.other': '{who} is editing · {left} left · read-only',
    'lock.taken': '{who} is editing this order',
    'lock.row': '{who} editing',
    'status.to': '→ {s}',
    'status.changed': '{no}: now {s}',
    'remark.title': 'Remarks',
    'remark.hint': 'Add a remark',
    'remark.add': 'Add',
    'remark.edit': 'Edit',
    'remark.save': 'Save',
    'remark.edited': 'edited',
    'remark.empty': '(empty)',
    'create.title': 'New order',
    'create.postal_hint': 'Find by postal code or place name',
    'create.postal_unknown': 'Unknown postal code',
    'create.postal_info': '{region} · {km} km, {min} min from {wh}',
    'create.done': 'Order {no} created',
    'assign.title': 'Assign driver',
    'assign.what': '{n} selected: {nos}',
    'assign.done': 'Driver assigned to {n} orders',
    'saved': 'Saved',
    'stats.status': 'Orders by status',
    'stats.hourly': 'Orders by hour',
    'stats.total': '{n} orders · {from} to {to}',
    'stats.note': 'Statistics count orders by the time they were created',
    'excel.done': 'Excel file downloaded',
    'error.network': 'The server cannot be reached',
    'unit.km': 'km',
    'unit.min': 'min',
  },
};

export const ENUMS = {
  type: ['DELIVERY', 'RETURN'],
  department: ['CS', 'HES', 'LENOVO'],
  warehouse: ['SEOUL', 'BUSAN', 'GWANGJU', 'DAEJEON'],
  status: ['WAITING', 'IN_PROGRESS', 'COMPLETE', 'ISSUE', 'CANCEL'],
};

const KEY = 'ondol.delivery.lang';
let lang = localStorage.getItem(KEY) === 'en' ? 'en' : 'ko';

export function language() {
  return lang;
}

/** The text of `key`, with `{name}` filled from `vars`. */
export function t(key, vars) {
  let s = WORDS[lang][key] ?? WORDS.ko[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
  return s;
}

/** An enum value's label (department codes are names already). */
export function label(kind, value) {
  if (value == null) return '';
  const key = kind + '.' + value;
  return WORDS.ko[key] ? t(key) : value;
}

/** Fills every marked element and the enum selects in the current language. */
export function apply(root = document) {
  document.documentElement.lang = lang;
  document.title = 'ondol ' + t('app.title');
  for (const n of root.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of root.querySelectorAll('[data-i18n-placeholder]')) n.placeholder = t(n.dataset.i18nPlaceholder);
  for (const n of root.querySelectorAll('[data-lang-toggle]')) n.textContent = lang === 'ko' ? 'English' : '한국어';
  for (const sel of root.querySelectorAll('select[data-enum]')) {
    const kind = sel.dataset.enum;
    const current = sel.value;
    sel.replaceChildren();
    if (!('noAll' in sel.dataset)) sel.append(new Option(t('filter.all'), 'ALL'));
    for (const v of ENUMS[kind]) sel.append(new Option(label(kind, v), v));
    if (current) sel.value = current;
  }
}

export function toggle() {
  lang = lang === 'ko' ? 'en' : 'ko';
  localStorage.setItem(KEY, lang);
  apply();
}
