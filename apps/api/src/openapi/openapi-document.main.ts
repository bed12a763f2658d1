/**
 * Prints the api's OpenAPI document (JSON) on stdout, built in-process: what `/openapi.json`
 * serves, with no database and no server. `npm run client:generate` reads it.
 */
import { buildApiDocument } from './api-document';

process.stdout.write(`${JSON.stringify(buildApiDocument(), null, 2)}\n`);
