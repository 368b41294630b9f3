// A turn reads the admin's session once and writes it once; two clicks at the same moment still keep
// each other's changes (the later write reads again and applies its changes on top).
import { SessionRepository, type Session } from '../../bot/session';
import { turnSession } from '../../bot/turn-session';
import { cosmosDocuments } from '../../domain/store/keyed-documents';
import { closeStores, emptyStore } from '../support/store';

afterAll(closeStores);

const tick = (id: string) => (s: Session): Session => ({ ...s, selected: [...s.selected, id] });

test('two turns changing the same session at once both keep their ticks', async () => {
  const sessions = new SessionRepository(cosmosDocuments((await emptyStore()).containers.sessions));
  const a = turnSession(sessions, 's1', { deferWrites: true });
  const b = turnSession(sessions, 's1', { deferWrites: true });
  await Promise.all([a.session(), b.session()]);
  await a.updateSession(tick('anna'));
  await b.updateSession(tick('ben'));
  expect((await a.session()).selected).toEqual(['anna']);
  await a.endTurn();
  await b.endTurn();
  expect((await sessions.get('s1')).selected.sort()).toEqual(['anna', 'ben']);
});

test('a turn that changes nothing writes nothing; changes after the turn are written at once', async () => {
  const sessions = new SessionRepository(cosmosDocuments((await emptyStore()).containers.sessions));
  await sessions.update('s2', (s) => ({ ...s, customerKey: 'contoso' }));
  const before = await sessions.get('s2');
  const turn = turnSession(sessions, 's2', { deferWrites: true });
  await turn.updateSession((s) => ({ ...s }));
  await turn.endTurn();
  expect((await sessions.get('s2')).updatedAt).toBe(before.updatedAt);
  await turn.updateSession(tick('carla'));
  expect((await sessions.get('s2')).selected).toEqual(['carla']);
});
