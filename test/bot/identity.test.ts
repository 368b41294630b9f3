// Who the bot believes is acting: in production only what Teams vouches for (Entra object id and the
// tenant), locally the playground's made-up ids — and whether that person is then one of the partner's admins.
import { actorOf } from '../../bot/teams-bot';
import { findAdmin } from '../../domain/access';
import type { PartnerSettings } from '../../domain/model';
import { demoDataset } from '../support/store';

const PARTNER_TENANT = '74d8c4b8-8ad9-5c9d-966b-bc2a1106db91';
const activity = (over: Record<string, unknown>) =>
  ({
    channelId: 'msteams',
    from: { id: 'user-id-0', name: 'Alex Wilber', aadObjectId: '00000000-0000-0000-0000-0000000000020' },
    conversation: { id: 'c', tenantId: PARTNER_TENANT },
    channelData: { tenant: { id: PARTNER_TENANT } },
    ...over,
  }) as never;

let partner: PartnerSettings;
beforeAll(async () => {
  partner = (await demoDataset()).partner;
});
const adminOf = (a: ReturnType<typeof actorOf>) => findAdmin(partner, a)?.displayName;

test('production: the Entra object id and tenant from Teams; the channel user id is not an identity', () => {
  const actor = actorOf(activity({}), false);
  expect(actor).toEqual({ aadObjectId: '00000000-0000-0000-0000-0000000000020', tenantId: PARTNER_TENANT, displayName: 'Alex Wilber' });
  expect(adminOf(actor)).toBe('Alex Wilber');
});

test('production: an activity from another channel (Web Chat, Direct Line) carries no identity, so no admin', () => {
  const actor = actorOf(activity({ channelId: 'webchat' }), false);
  expect(actor.aadObjectId).toBeUndefined();
  expect(actor).not.toHaveProperty('userId');
  expect(adminOf(actor)).toBeUndefined();
});

test('production: the same object id signed in to a customer tenant is not the partner admin', () => {
  const actor = actorOf(activity({ channelData: { tenant: { id: '14fc36d2-5968-54aa-9bcc-1f57d075cff1' } } }), false);
  expect(actor.tenantId).toBe('14fc36d2-5968-54aa-9bcc-1f57d075cff1');
  expect(adminOf(actor)).toBeUndefined();
});

test('production: the tenant falls back to the conversation, and is "unknown" (never the partner) when Teams sends none', () => {
  expect(actorOf(activity({ channelData: {} }), false).tenantId).toBe(PARTNER_TENANT);
  const none = actorOf(activity({ channelData: {}, conversation: { id: 'c' } }), false);
  expect(none.tenantId).toBe('unknown');
  expect(adminOf(none)).toBeUndefined();
});

test('local mode: the playground user id stands for the admin (partner.json playgroundUserId)', () => {
  const actor = actorOf(activity({ channelData: { tenant: { id: '00000000-0000-0000-0000-0000000000001' } } }), true);
  expect(actor).toMatchObject({ userId: 'user-id-0' });
  expect(actor).toEqual({ aadObjectId: '00000000-0000-0000-0000-0000000000020', userId: 'user-id-0', displayName: 'Alex Wilber' });
  expect(adminOf(actor)).toBe('Alex Wilber');
  // Megan's playground id is Megan, whatever name the client shows.
  expect(adminOf(actorOf(activity({ from: { id: 'user-id-1', name: 'someone' } }), true))).toBe('Megan Bowen');
});
