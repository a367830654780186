/**
 * @pathwire/udp: batched UDP sockets for Node on Linux (a Node-API addon). recvmmsg(2) into
 * memory allocated once, one JS call per batch; sendmmsg(2) of everything queued in a tick;
 * per-datagram send errors; IP_PKTINFO / IPV6_PKTINFO local addresses for multi-homed replies.
 *
 * @example
 * ```ts
 * import { openUdp } from '@pathwire/udp';
 *
 * const socket = openUdp({ port: 51820, family: 4 });
 * socket.onSendError((address, port, code) => console.warn(`${address}:${port}: ${code}`));
 * socket.onBatch((batch) => {
 *   for (let i = 0; i < batch.count; i++) {
 *     const datagram = batch.buffer.subarray(batch.offsets[i], batch.offsets[i] + batch.lengths[i]);
 *     socket.send(datagram, batch.sourcePorts[i]!, batch.sourceAddresses[i]!, batch.localAddresses[i]);
 *   }
 * });
 * ```
 */
export { errnoName, UdpError, type UdpErrorCode } from './errors.js';
export type { UdpStats } from './native.js';
export {
  NativeUdp,
  openUdp,
  type UdpBatch,
  type UdpBatchHandler,
  type UdpOptions,
  type UdpSendErrorHandler,
  type UdpSocket,
} from './udp-socket.js';
