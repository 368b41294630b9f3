// Who the bot believes is acting: in production only what Teams vouches for.
import { actorOf } from '../../bot/teams-bot';

const activity = (over: Record<string, unknown>) =>
  ({
    channelId: 'msteams',
    from: { id: 'user-id-0', name: 'Alex Wilber', aadObjectId: '00000000-0000-0000-0000-0000000000020' },
    conversation: { id: 'c', tenantId: '74d8c4b8-8ad9-5c9d-966b-bc2a1106db91' },
    channelData: { tenant: { id: '74d8c4b8-8ad9-5c9d-966b-bc2a1106db91' } },
    ...over,
  }) as never;

test('production: the Entra object id and tenant from Teams; the channel user id is not an identity', () => {
  expect(actorOf(activity({}), false)).toEqual({ aadObjectId: '00000000-0000-0000-0000-0000000000020', tenantId: '74d8c4b8-8ad9-5c9d-966b-bc2a1106db91', displayName: 'Alex Wilber' });
});

test('production: an activity from another channel (Web Chat, Direct Line) carries no identity', () => {
  expect(actorOf(activity({ channelId: 'webchat' }), false).aadObjectId).toBeUndefined();
});

test('local mode: the playground user id stands for the admin (partner.json playgroundUserId)', () => {
  expect(actorOf(activity({ channelData: { tenant: { id: '00000000-0000-0000-0000-0000000000001' } } }), true)).toMatchObject({ userId: 'user-id-0' });
});
