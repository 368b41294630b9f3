// Everything License Desk keeps in Cosmos DB, built from an open store: the one place that knows which
// container backs which part. The bot and the benchmark get their backends here, never containers.
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

export function cosmosBackends(store: Pick<CosmosStore, 'containers'>): CosmosBackends {
  return {
    directory: new CosmosDirectory(new DirectoryRepository(store.containers.directory)),
    operations: new OperationRepository(store.containers.operations),
    partner: new PartnerRepository(store.containers.partner),
    sessions: cosmosDocuments(store.containers.sessions),
  };
}
