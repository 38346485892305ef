// Interoperability check with @stomp/stompjs under Node (npm), the web client the
// seed targets. Usage: node stompjs_client.js http://127.0.0.1:PORT
//
// Signs up two users over REST, pairs them, connects both with `?token=` and the
// STOMP subprotocols, subscribes with receipts, sends, receives, exchanges
// heart-beats and disconnects. Exits non-zero with a message on the first failure.
'use strict';

const { Client } = require('@stomp/stompjs');
const WebSocket = require('ws');

const BASE = process.argv[2].replace(/\/$/, '');
const WS_BASE = BASE.replace(/^http/, 'ws');
const TIMEOUT = 10000;

const { fail, rest, account, waitFor } = require('./common')('stompjs interop', BASE, TIMEOUT);

function connect(token) {
  const state = { messages: [], receipts: [], errors: [], pongs: 0, connected: null, protocol: null };
  const client = new Client({
    webSocketFactory: () => {
      const ws = new WebSocket(`${WS_BASE}/ws/chat?token=${token}`, ['v12.stomp', 'v11.stomp', 'v10.stomp']);
      ws.on('open', () => { state.protocol = ws.protocol; });
      return ws;
    },
    heartbeatIncoming: 1000,
    heartbeatOutgoing: 1000,
    reconnectDelay: 0,
    debug: (line) => { if (line.includes('<<< PONG')) state.pongs += 1; },
    onConnect: (frame) => { state.connected = frame; },
    onStompError: (frame) => { state.errors.push(frame); },
    onWebSocketError: (e) => fail(`websocket error: ${e.message || e}`),
  });
  client.onUnhandledReceipt = (frame) => { state.receipts.push(frame.headers['receipt-id']); };
  client.activate();
  return { client, state };
}

async function main() {
  const a = await account('js-a');
  const b = await account('js-b');
  const invite = await rest('POST', '/couples/invite', {}, a.token);
  const joined = await rest('POST', '/couples/join', { inviteCode: invite.inviteCode }, b.token);
  const room = joined.coupleId;

  const ca = connect(a.token);
  const cb = connect(b.token);
  await waitFor(() => ca.state.connected && cb.state.connected, 'CONNECTED');
  if (ca.state.connected.headers['user-name'] !== a.id) fail(`user-name: ${JSON.stringify(ca.state.connected.headers)}`);
  if (ca.state.connected.headers.version !== '1.2') fail(`version: ${ca.state.connected.headers.version}`);
  if (ca.state.protocol !== 'v12.stomp') fail(`subprotocol: ${ca.state.protocol}`);

  for (const [c, name] of [[ca, 'a'], [cb, 'b']]) {
    c.client.subscribe(`/topic/couple/${room}`, (m) => c.state.messages.push(m), { id: `room-${name}`, receipt: `sub-${name}` });
    c.client.subscribe('/user/queue/errors', (m) => c.state.messages.push(m), { id: `errors-${name}` });
    await waitFor(() => c.state.receipts.includes(`sub-${name}`), 'SUBSCRIBE receipt');
  }

  const texts = (c) => c.state.messages.map((m) => JSON.parse(m.body)).filter((m) => m.type === 'TEXT');
  ca.client.publish({
    destination: `/app/chat/${room}`,
    body: JSON.stringify({ type: 'TEXT', content: '안녕 from stompjs', tempId: 'js-1' }),
    headers: { 'content-type': 'application/json', receipt: 'send-1' },
  });
  await waitFor(() => ca.state.receipts.includes('send-1'), 'SEND receipt');
  await waitFor(() => texts(cb).length === 1, 'the message on b');
  const got = texts(cb)[0];
  if (got.content !== '안녕 from stompjs' || got.senderId !== a.id || got.tempId !== 'js-1') fail(`body: ${JSON.stringify(got)}`);
  const frame = cb.state.messages.find((m) => JSON.parse(m.body).type === 'TEXT');
  if (frame.headers.subscription !== 'room-b' || !frame.headers['message-id']) fail(`headers: ${JSON.stringify(frame.headers)}`);

  // Typing from b reaches a.
  cb.client.publish({ destination: `/app/chat/${room}/typing`, body: JSON.stringify({ typing: true }) });
  await waitFor(() => ca.state.messages.some((m) => JSON.parse(m.body).event === 'TYPING'), 'TYPING on a');

  // An invalid message: SEND_FAILED with its tempId on b's error queue.
  cb.client.publish({ destination: `/app/chat/${room}`, body: JSON.stringify({ type: 'IMAGE', tempId: 'bad' }) });
  const error = await waitFor(() => cb.state.messages
    .filter((m) => m.headers.subscription === 'errors-b')
    .map((m) => JSON.parse(m.body))[0], 'SEND_FAILED');
  if (error.code !== 'SEND_FAILED' || error.tempId !== 'bad') fail(`error: ${JSON.stringify(error)}`);

  // Heart-beats: idle for a while; server beats arrive and nobody is dropped.
  await new Promise((r) => setTimeout(r, 3500));
  if (ca.state.pongs < 1) fail('no server heart-beat received in 3.5 s at a 1 s interval');
  if (!ca.client.connected || !cb.client.connected) fail('a client was dropped while heart-beating');
  if (ca.state.errors.length || cb.state.errors.length) fail(`ERROR frames: ${JSON.stringify(ca.state.errors.concat(cb.state.errors))}`);

  await ca.client.deactivate();
  await cb.client.deactivate();
  console.log(`stompjs interop ok (heart-beats seen: ${ca.state.pongs})`);
  process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
