// When the directory itself refuses a user's change (Graph's per-user 400), that user fails alone with
// the directory's code, the others go through, and no seat stays taken for the refused one.
import type { Dataset } from '../../domain/dataset';
import { licenseError } from '../../domain/errors';
import { LicenseService } from '../../domain/service';
import { cosmosBackends } from '../../domain/store/backends';
import { SKU, expectSeatInvariant, request } from '../support/demo';
import { refusingUsers } from '../support/refusing';
import { closeStores, demoDataset, demoService, directoryOf } from '../support/store';

let data: Dataset;
beforeAll(async () => {
  data = await demoDataset();
});
afterAll(closeStores);

test('a user the directory refuses fails alone with its code and keeps no seat; the rest are written', async () => {
  const { store } = await demoService();
  const users = data.customers[0].users.filter((u) => u.usageLocation && !u.assignedLicenses.some((l) => l.skuId === SKU.TEAMS_PHONE)).slice(0, 4).map((u) => u.id);
  const refusal = licenseError('mutuallyExclusiveViolation', { first: 'A', second: 'B' }, SKU.TEAMS_PHONE);
  const service = new LicenseService(refusingUsers(cosmosBackends(store), new Set([users[1]]), refusal), { chunkSize: 2 });
  const before = (await directoryOf(store).sku('contoso', SKU.TEAMS_PHONE))!.consumedUnits;

  const result = await service.apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] }));

  expect(result.results.map((r) => r.status)).toEqual(['succeeded', 'failed', 'succeeded', 'succeeded']);
  expect(result.results[1].errors.map((e) => e.code)).toEqual(['mutuallyExclusiveViolation']);
  expect(result.results[1].after).toEqual(result.results[1].before);
  expect((await directoryOf(store).sku('contoso', SKU.TEAMS_PHONE))!.consumedUnits).toBe(before + 3);
  await expectSeatInvariant(store);
});
