// How Save reads the Manage licenses card: only what the admin changed, compared with what it showed.
import { changeFromInputs } from '../../bot/save';
import type { Product } from '../../domain/catalog';

const product = (skuId: string) => ({ skuId, displayName: skuId, servicePlans: [] }) as unknown as Product;
const products = ['all', 'none', 'some', 'other-page'].map(product);
const baseline = { all: 'true', none: 'false', some: 'keep', 'other-page': 'false' };
const noDraft = { choices: {}, disabledPlans: {} };

test('untouched inputs change nothing, whoever holds what', () => {
  expect(changeFromInputs({ product_all: 'true', product_none: 'false', product_some: 'keep' }, products, baseline, noDraft).change).toEqual({ assign: [], remove: [] });
});

test('unticking what all hold revokes it; ticking what none hold assigns it; the choice for "some" says which', () => {
  expect(changeFromInputs({ product_all: 'false', product_none: 'true', product_some: 'remove' }, products, baseline, noDraft).change).toEqual({
    assign: [{ skuId: 'none' }],
    remove: ['all', 'some'],
  });
});

test('a product set on another page of the card counts as it was set there', () => {
  const draft = { choices: { 'other-page': 'assign' as const }, disabledPlans: {} };
  expect(changeFromInputs({ product_all: 'true' }, products, baseline, draft).change.assign).toEqual([{ skuId: 'other-page' }]);
});

test('plans switched off for a product everyone holds update it for all, with those plans', () => {
  const draft = { choices: {}, disabledPlans: { all: ['plan-x'] } };
  expect(changeFromInputs({ product_all: 'true' }, products, baseline, draft).change.assign).toEqual([{ skuId: 'all', disabledPlans: ['plan-x'] }]);
});

test('a product that was not on the card the admin saw is never touched', () => {
  expect(changeFromInputs({ product_unknown: 'true' }, [...products, product('unknown')], baseline, noDraft).change).toEqual({ assign: [], remove: [] });
});
