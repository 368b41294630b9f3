// Words belong to the cards: both languages have every key, every domain code has a text in each, and a
// German card built from the domain's codes carries no English from the domain.
import { errorText, labels, messages } from '../../cards/i18n';
import type { AdaptiveCard } from '../../cards/render';
import { previewCard, resultCard } from '../../cards/results-cards';
import type { LicenseError } from '../../domain/errors';
import type { Customer } from '../../domain/model';
import type { UserChangePlan } from '../../domain/rules';
import { countOutcomes, type OperationResult } from '../../domain/service';

const customer: Customer = { key: 'contoso', displayName: 'Contoso', tenantId: '00000000-0000-0000-0000-000000000001', defaultDomain: 'contoso.onmicrosoft.com' };

/** One error of every code and variant, with parameters as the domain builds them. */
const everyError: LicenseError[] = [
  { code: 'countViolation', skuId: 's1', params: { product: 'Office 365 E5', available: 0, needed: 3 } },
  { code: 'usageLocationMissing', params: {} },
  { code: 'prohibitedInUsageLocation', skuId: 's2', params: { product: 'Teams Phone Standard', usageLocation: 'IN', allowed: ['DE', 'US'] } },
  { code: 'mutuallyExclusiveViolation', skuId: 's3', params: { planA: 'EXCHANGE_S_STANDARD', productA: 'Exchange Online (Plan 1)', planB: 'EXCHANGE_S_ENTERPRISE', productB: 'Office 365 E3' } },
  { code: 'dependencyViolation', skuId: 's4', params: { direction: 'needs', product: 'Teams Phone Standard', anyOfPlans: ['MCOEV', 'MCOSTANDARD'], inProducts: ['Office 365 E5', 'Office 365 E3'] } },
  { code: 'dependencyViolation', skuId: 's5', params: { direction: 'needs', product: 'Copilot for Microsoft 365', anyOfProducts: ['Office 365 E3', 'Office 365 E5'] } },
  { code: 'dependencyViolation', skuId: 's6', params: { direction: 'dependedOn', dependent: 'Teams Phone Standard', anyOfPlans: ['MCOEV'], inProducts: [] } },
  { code: 'unknownSku', params: { skuId: 'f0e1d2c3' } },
  { code: 'notAssignable', skuId: 's7', params: { product: 'Extra File Storage', why: 'appliesToCompany' } },
  { code: 'notAssignable', skuId: 's8', params: { product: 'Visio Plan 2', why: 'suspended' } },
  { code: 'invalidDisabledPlans', skuId: 's9', params: { plan: 'YAMMER_ENTERPRISE', product: 'Visio Plan 2' } },
  { code: 'userNotFound', params: { userId: 'a1b2c3' } },
  { code: 'concurrentChange', params: {} },
];

function failedUser(i: number, errors: LicenseError[]): UserChangePlan {
  return { userId: `u${i}`, displayName: `Nutzer ${i}`, userPrincipalName: `u${i}@contoso.onmicrosoft.com`, status: 'failed', before: [], after: [], added: [], removed: [], updated: [], errors };
}

/** Each error alone on a user, so no card page limit hides one. */
const results = everyError.map((e, i) => failedUser(i, [e]));
const preview = { customerKey: 'contoso', results, counts: countOutcomes(results), seatDemand: [] };
const result: OperationResult = { ...preview, operationId: 'op-1', status: 'completed', requestedBy: { aadObjectId: 'x', displayName: 'Alex Wilber' }, createdAt: '2026-11-26T10:00:00Z', replayed: false, stale: false };

const textOf = (card: AdaptiveCard) => {
  const out: string[] = [];
  JSON.stringify(card, (k, v) => (typeof v === 'string' && (k === 'text' || k === 'title' || k === 'value') ? (out.push(v), v) : v));
  return out.join('\n');
};

const names = [...new Set(everyError.flatMap((e) => Object.values(e.params).flatMap((v) => (Array.isArray(v) ? v : [String(v)]))))].sort((a, b) => b.length - a.length);
/** Words of English sentences: none may be left in a German card once the product and plan names are taken out. */
const englishWords = /\b(the|of|or|and|to|is|not|no|with|which|needs|applies|whole|company|subscription|suspended|available|needed|one|first|user|users|licenses?|remove|assign|retry|buy|more)\b/i;

describe('both languages have every word', () => {
  const keysOf = (o: object) => Object.keys(o).sort();
  test.each(['labels', 'errors', 'whyNotAssignable', 'requestProblems'] as const)('%s: the same keys in English and German', (part) => {
    expect(keysOf(messages.de[part])).toEqual(keysOf(messages.en[part]));
    expect(keysOf(messages.en[part]).length).toBeGreaterThan(3);
  });

  test('a missing key is noticed (so the check can fail)', () => {
    const { save: _dropped, ...shorter } = messages.de.labels;
    expect(keysOf(shorter)).not.toEqual(keysOf(messages.en.labels));
  });

  test('every error of every code has a reason and a fix in both languages, and German differs from English', () => {
    for (const e of everyError) {
      const en = errorText(e, 'en');
      const de = errorText(e, 'de');
      for (const t of [en.reason, en.fix, de.reason, de.fix]) expect(t.length).toBeGreaterThan(10);
      expect(de.reason).not.toBe(en.reason);
      expect(de.fix).not.toBe(en.fix);
    }
  });

  test('every label has text in both languages', () => {
    for (const lang of ['en', 'de'] as const) {
      for (const [key, value] of Object.entries(labels[lang])) {
        const text = typeof value === 'function' ? (value as (...a: unknown[]) => string)(1, 2, 3) : JSON.stringify(value);
        expect([key, text.length > 0]).toEqual([key, true]);
      }
    }
  });
});

describe('a German card carries no English from the domain', () => {
  const germanCards = () => [
    previewCard('de', { customer, preview, change: { assign: ['Office 365 E5'], remove: [] }, cardId: 'card-1', canSave: false }),
    resultCard('de', { customer, result, page: 1, productName: (id) => id }),
  ];

  test('preview and Licenses updated with every error code', () => {
    for (const card of germanCards()) {
      const text = textOf(card);
      for (const e of everyError) {
        const en = errorText(e, 'en');
        expect(text).not.toContain(en.reason);
        expect(text).not.toContain(en.fix);
      }
      let stripped = text;
      for (const n of names) stripped = stripped.split(n).join(' ');
      const lines = stripped.split('\n').filter((l) => englishWords.test(l));
      expect(lines).toEqual([]);
    }
  });

  test('the English cards do carry those words (so the check can fail)', () => {
    const text = textOf(previewCard('en', { customer, preview, change: { assign: ['Office 365 E5'], remove: [] }, cardId: 'card-1', canSave: false }));
    let stripped = text;
    for (const n of names) stripped = stripped.split(n).join(' ');
    expect(stripped.split('\n').filter((l) => englishWords.test(l)).length).toBeGreaterThan(5);
  });
});
