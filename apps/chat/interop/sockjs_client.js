// Interoperability check with sockjs-client + @stomp/stompjs under Node (npm): the
// way a web client of the seed's `.withSockJS()` endpoint connects.
// Usage: node sockjs_client.js TRANSPORT http://127.0.0.1:PORT
// TRANSPORT is a SockJS transport to force (`websocket`, `xhr-streaming`,
// `xhr-polling`). The token travels as `?token=` on the SockJS URL.
//
// Pairs two users over REST, connects both through SockJS, subscribes with a
// receipt, sends, receives, and disconnects. Exits non-zero on the first failure.
'use strict';

const SockJS = require('sockjs-client');
const { Client } = require('@stomp/stompjs');

const TRANSPORT = process.argv[2];
const BASE = process.argv[3].replace(/\/$/, '');
const TIMEOUT = 15000;

const { fail, rest, account, waitFor } = require('./common')(`sockjs interop (${TRANSPORT})`, BASE, TIMEOUT);

function connect(token) {
  const state = { messages: [], receipts: [], errors: [], connected: null, transport: null };
  const client = new Client({
    webSocketFactory: () => {
      const sock = new SockJS(`${BASE}/ws/chat?token=${token}`, null, { transports: [TRANSPORT] });
      sock.addEventListener('open', () => { state.transport = sock.transport; });
      return sock;
    },
    heartbeatIncoming: 0,
    heartbeatOutgoing: 0,
    reconnectDelay: 0,
    onConnect: (frame) => { state.connected = frame; },
    onStompError: (frame) => { state.errors.push(frame); },
    onWebSocketError: (e) => fail(`transport error: ${e.message || JSON.stringify(e)}`),
  });
  client.onUnhandledReceipt = (frame) => { state.receipts.push(frame.headers['receipt-id']); };
  client.activate();
  return { client, state };
}

async function main() {
  const info = await fetch(`${BASE}/ws/chat/info`).then((r) => r.json());
  if (info.websocket !== true || info.cookie_needed !== false) fail(`info: ${JSON.stringify(info)}`);
  const a = await account('sj-a');
  const b = await account('sj-b');
  const invite = await rest('POST', '/couples/invite', {}, a.token);
  const joined = await rest('POST', '/couples/join', { inviteCode: invite.inviteCode }, b.token);
  const room = joined.coupleId;

  const ca = connect(a.token);
  const cb = connect(b.token);
  await waitFor(() => ca.state.connected && cb.state.connected, 'CONNECTED');
  if (ca.state.transport !== TRANSPORT) fail(`transport: ${ca.state.transport}`);
  if (ca.state.connected.headers['user-name'] !== a.id) fail(`user-name: ${JSON.stringify(ca.state.connected.headers)}`);

  for (const [c, name] of [[ca, 'a'], [cb, 'b']]) {
    c.client.subscribe(`/topic/couple/${room}`, (m) => c.state.messages.push(m), { id: `room-${name}`, receipt: `sub-${name}` });
    await waitFor(() => c.state.receipts.includes(`sub-${name}`), 'SUBSCRIBE receipt');
  }
  const texts = (c) => c.state.messages.map((m) => JSON.parse(m.body)).filter((m) => m.type === 'TEXT');
  for (let i = 0; i < 3; i += 1) {
    ca.client.publish({
      destination: `/app/chat/${room}`,
      body: JSON.stringify({ type: 'TEXT', content: `안녕 ${i} "via" ${TRANSPORT}\n`, tempId: `sj-${i}` }),
      headers: { 'content-type': 'application/json' },
    });
  }
  await waitFor(() => texts(cb).length === 3, 'the messages on b');
  texts(cb).forEach((m, i) => {
    if (m.content !== `안녕 ${i} "via" ${TRANSPORT}\n` || m.senderId !== a.id) fail(`body ${i}: ${JSON.stringify(m)}`);
  });
  cb.client.publish({
    destination: `/app/chat/${room}`,
    body: JSON.stringify({ type: 'TEXT', content: 'back', tempId: 'sj-back' }),
    headers: { receipt: 'send-b' },
  });
  await waitFor(() => cb.state.receipts.includes('send-b'), 'SEND receipt');
  await waitFor(() => texts(ca).some((m) => m.content === 'back'), 'the answer on a');
  if (ca.state.errors.length || cb.state.errors.length) fail(`ERROR frames: ${JSON.stringify(ca.state.errors.concat(cb.state.errors))}`);

  await ca.client.deactivate();
  await cb.client.deactivate();
  console.log(`sockjs interop ok (${TRANSPORT})`);
  process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
