// A turn reads the admin's session once and writes it once; two clicks at the same moment still keep
// each other's changes (the later write reads again and applies its changes on top), and a selection
// whose base is replaced is stored before the old base is deleted, never after.
import { changeSelection, currentSelection } from '../../bot/selection';
import { SessionRepository, type Session } from '../../bot/session';
import { turnSession } from '../../bot/turn-session';
import { cosmosDocuments } from '../../domain/store/keyed-documents';
import { closeStores, emptyStore } from '../support/store';

afterAll(closeStores);

/** One click's turn: its session read once, written at the end (as the bot runs it). */
const turn = (sessions: SessionRepository, id: string) => ({ ...turnSession(sessions, id, { deferWrites: true }), sessions, sessionId: id });
const filterText = (text: string) => (s: Session): Session => ({ ...s, filter: { ...s.filter, text } });

test('two turns ticking users of the same session at once both keep their ticks', async () => {
  const sessions = new SessionRepository(cosmosDocuments((await emptyStore()).containers.sessions));
  const a = turn(sessions, 's1');
  const b = turn(sessions, 's1');
  await Promise.all([a.session(), b.session()]);
  await changeSelection(a, { kind: 'add', ids: ['anna'] });
  await changeSelection(b, { kind: 'add', ids: ['ben'] });
  expect((await currentSelection(a)).ids()).toEqual(['anna']);
  await a.endTurn();
  await b.endTurn();
  expect((await currentSelection(turn(sessions, 's1'))).ids().sort()).toEqual(['anna', 'ben']);
});

test('a new selection base is named by the stored session before the old base is deleted', async () => {
  // Tiny bounds: five ids already make a base of three chunks; no cache, so every read goes to the store.
  const documents = cosmosDocuments((await emptyStore()).containers.sessions);
  const sessions = new SessionRepository(documents, { idsPerChunk: 2, deltaLimit: 3, cacheIds: 0 });
  const first = turn(sessions, 's3');
  await changeSelection(first, { kind: 'add', ids: ['u1', 'u2', 'u3', 'u4', 'u5'] });
  await first.endTurn();
  const second = turn(sessions, 's3');
  await second.updateSession(filterText('sales'));
  await changeSelection(second, { kind: 'replace', ids: ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'] });
  // Before this turn ends, another instance already reads the new selection (and the turn's filter).
  const elsewhere = turn(new SessionRepository(documents, { idsPerChunk: 2, deltaLimit: 3, cacheIds: 0 }), 's3');
  expect((await currentSelection(elsewhere)).ids()).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
  expect((await elsewhere.session()).filter.text).toBe('sales');
  await second.endTurn();
  expect((await currentSelection(turn(sessions, 's3'))).count).toBe(6);
});

test('a turn that changes nothing writes nothing; changes after the turn are written at once', async () => {
  const sessions = new SessionRepository(cosmosDocuments((await emptyStore()).containers.sessions));
  await sessions.update('s2', (s) => ({ ...s, customerKey: 'contoso' }));
  const before = await sessions.get('s2');
  const t = turnSession(sessions, 's2', { deferWrites: true });
  await t.updateSession((s) => ({ ...s }));
  await t.endTurn();
  expect((await sessions.get('s2')).updatedAt).toBe(before.updatedAt);
  await t.updateSession(filterText('carla'));
  expect((await sessions.get('s2')).filter.text).toBe('carla');
});
