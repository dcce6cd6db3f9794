/** Where the OpenAPI files live; the NFs read them at start (request validation, schemas). */
import { fileURLToPath } from 'node:url';

export const openapiDir = fileURLToPath(new URL('../../openapi/', import.meta.url));
