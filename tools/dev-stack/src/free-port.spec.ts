import net from 'node:net';
import { startOnFreePort } from './free-port';

const listen = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));
const portTaken = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EADDRINUSE';

describe('startOnFreePort (a test stack whose free port another process took first)', () => {
  it('tries again on a new port when the port was taken between freePort() and listen()', async () => {
    const squatter = await listen(0);
    const taken = (squatter.address() as net.AddressInfo).port;
    const tried: number[] = [];
    try {
      // The first attempt meets a taken port, as when a parallel stack grabbed it first.
      const server = await startOnFreePort((port) => {
        tried.push(port);
        return listen(tried.length === 1 ? taken : port);
      }, portTaken);
      expect(tried).toHaveLength(2);
      expect((server.address() as net.AddressInfo).port).toBe(tried[1]);
      await close(server);
    } finally {
      await close(squatter);
    }
  });

  it('gives up after the attempts allowed, and never retries another failure', async () => {
    const squatter = await listen(0);
    const taken = (squatter.address() as net.AddressInfo).port;
    let attempts = 0;
    try {
      await expect(startOnFreePort(() => (attempts++, listen(taken)), portTaken, 3)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(attempts).toBe(3);
      attempts = 0;
      await expect(startOnFreePort(() => (attempts++, Promise.reject(new Error('no CLI'))), portTaken)).rejects.toThrow('no CLI');
      expect(attempts).toBe(1);
    } finally {
      await close(squatter);
    }
  });
});
