// `npm run import -- DIR`: checks a data set and loads it into the configured Cosmos DB, idempotently.
import { DatasetError, importDataset, loadDataset } from './dataset';
import { cosmosEnvSchema, cosmosSettings, envWithoutBlanks, openCosmos } from './store/cosmos';

async function main(argv: string[]): Promise<number> {
  const replace = argv.includes('--replace');
  const args = argv.filter((a) => a !== '--replace');
  const dir = args[0];
  if (!dir || args.length > 1) {
    console.error('Usage: npm run import -- DIR [--replace]   (DIR holds partner.json, product-rules.json and a folder per customer');
    console.error('       with organization.json, subscribedSkus.json and users.json or the admin center\'s users-export.csv;');
    console.error('       --replace loads a customer even over license changes made in License Desk since)');
    return 2;
  }
  const env = cosmosEnvSchema.safeParse(envWithoutBlanks(process.env));
  if (!env.success) {
    for (const issue of env.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  if (!env.data.COSMOS_ENDPOINT) {
    console.error('COSMOS_ENDPOINT is not set: the embedded database lives inside the running bot, so there is nothing to import into.');
    console.error('Set COSMOS_ENDPOINT (and COSMOS_KEY, or sign in to Microsoft Entra ID with az login), or start the bot with SEED_DIR pointing at the data set.');
    return 2;
  }
  let data;
  try {
    data = await loadDataset(dir);
  } catch (err) {
    if (err instanceof DatasetError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const store = await openCosmos(cosmosSettings(env.data));
  try {
    const counts = await importDataset(store, data, { replace }).catch((err) => {
      if (err instanceof DatasetError) console.error(err.message);
      throw err;
    });
    console.log(`Imported ${counts.customers} customers, ${counts.products} products and ${counts.users} users into ${env.data.COSMOS_DATABASE}.`);
    return 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (!(err instanceof DatasetError)) console.error(`Import failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
