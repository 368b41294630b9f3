// GET /results/{customer}/{operation}.csv?to=…&lang=…&exp=…&sig=… — a result as CSV (cards/result-csv.ts).
// The route's logic, apart from the HTTP server (bot/server.ts only wires it): a bad, expired or
// someone else's link, or one for another customer or result, is 403 and reads nothing else.
import { labels, type Lang } from '../cards/i18n';
import { resultCsv, resultCsvFileName } from '../cards/result-csv';
import { AccessDeniedError } from '../domain/access';
import { RequestError } from '../domain/errors';
import type { LicenseService } from '../domain/service';
import type { ResultLinks } from './result-links';

export interface DownloadAnswer {
  status: 200 | 403 | 404;
  headers: Record<string, string>;
  body: string;
}

const plain = (status: 403 | 404, text: string): DownloadAnswer => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  body: text,
});

const SAFE = /^[A-Za-z0-9._-]{1,80}$/;

export async function resultDownload(
  deps: { service: LicenseService; links: ResultLinks },
  params: { customerKey: string; file: string },
  query: Record<string, unknown>,
): Promise<DownloadAnswer> {
  const lang: Lang = query.lang === 'de' ? 'de' : 'en';
  const refused = plain(403, labels[lang].linkRefused);
  const operationId = params.file.endsWith('.csv') ? params.file.slice(0, -4) : '';
  if (!SAFE.test(params.customerKey) || !SAFE.test(operationId)) return refused;
  const link = deps.links.verify(params.customerKey, operationId, query);
  if (!link) return refused;
  try {
    const result = await deps.service.operation(link.actor, params.customerKey, operationId);
    if (!result) return plain(404, labels[link.lang].staleCard);
    const catalog = await deps.service.catalog(link.actor, params.customerKey);
    const csv = resultCsv(link.lang, { result, productName: (id) => catalog.displayName(id) }, { separator: link.lang === 'de' ? ';' : ',' });
    const name = resultCsvFileName(link.lang, { key: params.customerKey }, result.completedAt ?? result.createdAt);
    return {
      status: 200,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      body: csv,
    };
  } catch (err) {
    // The person it was issued to may no longer see this customer: the link is worth nothing then.
    if (err instanceof AccessDeniedError) return refused;
    if (err instanceof RequestError) return plain(404, labels[link.lang].staleCard);
    throw err;
  }
}
