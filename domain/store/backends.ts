// Everything License Desk keeps in Cosmos DB, built from an open store: the one place that knows which
// container backs which part. The bot and the benchmark get their backends here, never containers.
import { GdapPartnerRepository } from '../graph/gdap-partner';
import { GraphDirectory, type GraphDirectoryOptions } from '../graph/graph-directory';
import type { GraphClient } from '../graph/graph-client';
import type { GraphSettings } from '../graph/settings';
import type { ServiceBackends } from '../service';
import type { CosmosStore } from './cosmos';
import { CosmosDirectory } from './cosmos-directory';
import { DirectoryRepository } from './directory';
import { cosmosDocuments, type KeyedDocuments } from './keyed-documents';
import { OperationRepository } from './operations';
import { PartnerRepository } from './partner';

export interface CosmosBackends extends ServiceBackends {
  directory: CosmosDirectory;
  /** Per admin and conversation: the bot's sessions. */
  sessions: KeyedDocuments;
}

/**
 * Graph mode: the customers' directories are their Microsoft 365 tenants, mirrored in the `directory`
 * container; operations, partner data and sessions stay in Cosmos DB.
 */
export function graphBackends(store: Pick<CosmosStore, 'containers'>, client: GraphClient, settings: Pick<GraphSettings, 'customers'>, options: GraphDirectoryOptions = {}): GraphBackends {
  const partner = settings.customers === 'gdap' ? new GdapPartnerRepository(store.containers.partner, client) : new PartnerRepository(store.containers.partner);
  return {
    directory: new GraphDirectory(client, new DirectoryRepository(store.containers.directory), partner, options),
    operations: new OperationRepository(store.containers.operations),
    partner,
    sessions: cosmosDocuments(store.containers.sessions),
  };
}

export interface GraphBackends extends ServiceBackends {
  directory: GraphDirectory;
  sessions: KeyedDocuments;
}

/**
 * The runner's options in Graph mode: a chunk's users all in flight at once, so they share $batch
 * requests; one chunk at a time, since Graph's pacing and its seat count are re-read per chunk.
 */
export const GRAPH_RUNNER_OPTIONS = { chunkSize: 100, concurrency: 100, chunksInFlight: 1 } as const;

export function cosmosBackends(store: Pick<CosmosStore, 'containers'>): CosmosBackends {
  return {
    directory: new CosmosDirectory(new DirectoryRepository(store.containers.directory)),
    operations: new OperationRepository(store.containers.operations),
    partner: new PartnerRepository(store.containers.partner),
    sessions: cosmosDocuments(store.containers.sessions),
  };
}
