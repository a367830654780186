/**
 * Reading the inner IP header of a tunnelled packet (WireGuard whitepaper §2, §5.4.6) comes
 * from @pathwire/ip; re-exported here so the engine's importers keep their paths.
 */
export { innerDestination, innerFamily, innerSource, packetLength } from '@pathwire/ip';
