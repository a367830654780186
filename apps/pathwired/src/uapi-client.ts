/** A minimal UAPI client: one request to an interface's socket, the raw reply text. */
import { connect } from 'node:net';
import { uapiSocketPath } from './runtime-paths.js';

export async function uapiRequest(iface: string, request: string, timeoutMs = 3000): Promise<string> {
  const path = uapiSocketPath(iface);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(path);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${path}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (/errno=-?\d+\n\n$/.test(received)) {
        clearTimeout(timer);
        socket.end();
        resolve(received);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const missing = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
      reject(new Error(missing ? `interface ${iface} is not up (no ${path})` : `${path}: ${error.message}`));
    });
  });
}
