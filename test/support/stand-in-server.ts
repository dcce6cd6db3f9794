/**
 * A one-off HTTP server on 127.0.0.1 that stands where an NF should (an impostor, a captive
 * portal, a peer that stalls), for a command pointed at it: `use` gets its address, and the
 * server is closed afterwards with any connection still open.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function withStandInServer<T>(handler: RequestListener, use: (address: string) => Promise<T>): Promise<T> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
