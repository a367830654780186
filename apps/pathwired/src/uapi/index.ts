/**
 * The WireGuard cross-platform userspace API (https://www.wireguard.com/xplatform/) served by
 * pathwired, so that `wg show`, `wg showconf`, `wg set` and `wg syncconf` work unchanged.
 */
export { ERRNO, formatErrno, UapiError, type UapiErrorCode } from './uapi-errors.js';
export {
  parseGetReply,
  type UapiDeviceStatus,
  type UapiEndpointStatus,
  type UapiPeerStatus,
} from './uapi-get-reply.js';
export {
  applySet,
  formatGet,
  type UapiDeviceInfo,
  type UapiHooks,
  type UapiSetResult,
} from './uapi-protocol.js';
export {
  serveUapi,
  type UapiRequestEvent,
  type UapiServer,
  type UapiServerOptions,
} from './uapi-server.js';
