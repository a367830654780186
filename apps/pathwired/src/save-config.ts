/**
 * `SaveConfig = true`: on the way down the running state is written back to the config file,
 * as wg-quick's `save_config` does: the interface's own keys (Address, DNS, MTU when one was
 * set, Table, SaveConfig, the hooks) followed by what `pathwire showconf` prints (key, port,
 * fwmark, every peer with all its endpoints and its strategy). Written to `FILE.tmp` with mode
 * 0600 and renamed over the file, so a crash mid-write leaves the old file whole.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { DaemonConfig } from './config/index.js';
import { formatShowconf } from './showconf.js';

export function savedConfigText(config: DaemonConfig, getReply: string, linkMtu: number | undefined): string {
  const section = config.interface;
  const lines: string[] = [];
  for (const address of section.addresses) lines.push(`Address = ${address}`);
  for (const entry of section.dns) lines.push(`DNS = ${entry}`);
  if (section.mtu !== undefined) lines.push(`MTU = ${linkMtu ?? section.mtu}`);
  if (section.table !== undefined) lines.push(`Table = ${section.table}`);
  lines.push('SaveConfig = true');
  for (const [key, commands] of [
    ['PreUp', section.preUp],
    ['PostUp', section.postUp],
    ['PreDown', section.preDown],
    ['PostDown', section.postDown],
  ] as const)
    for (const command of commands) lines.push(`${key} = ${command}`);
  return formatShowconf(getReply).replace('[Interface]\n', `[Interface]\n${lines.join('\n')}\n`);
}

export async function saveConfig(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}
