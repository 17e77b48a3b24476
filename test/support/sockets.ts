// Which TCP sockets a process holds, read from /proc (Linux): the socket inodes in
// /proc/<pid>/fd matched against /proc/net/tcp{,6}. Used to prove that everything
// copse starts listens on and talks to loopback only.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface SocketInfo {
  local: string;
  remote: string;
  state: 'LISTEN' | 'ESTABLISHED' | 'OTHER';
}

function decodeV4(hex: string): string {
  const [ip = '', port = '0'] = hex.split(':');
  const bytes = (ip.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse();
  return `${bytes.join('.')}:${parseInt(port, 16)}`;
}

function decodeV6(hex: string): string {
  const [ip = '', port = '0'] = hex.split(':');
  // Four little-endian 32-bit words.
  const words = (ip.match(/.{8}/g) ?? []).map((w) => (w.match(/../g) ?? []).reverse().join(''));
  const full = words.join('');
  if (full.startsWith('00000000000000000000FFFF')) {
    // IPv4-mapped: decodeV4 takes the little-endian form /proc/net/tcp uses.
    return decodeV4(`${(full.slice(24).match(/../g) ?? []).reverse().join('')}:${port}`);
  }
  if (/^0{31}1$/.test(full)) return `[::1]:${parseInt(port, 16)}`;
  if (/^0{32}$/.test(full)) return `[::]:${parseInt(port, 16)}`;
  return `[${full}]:${parseInt(port, 16)}`;
}

function table(file: string, v6: boolean): Map<string, SocketInfo> {
  const out = new Map<string, SocketInfo>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const [, local = '', remote = '', st = ''] = cols;
    const inode = cols[9] ?? '';
    const decode = v6 ? decodeV6 : decodeV4;
    out.set(inode, { local: decode(local), remote: decode(remote), state: st === '0A' ? 'LISTEN' : st === '01' ? 'ESTABLISHED' : 'OTHER' });
  }
  return out;
}

export function tcpSockets(pid: number): SocketInfo[] {
  const inodes: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.push(m[1]);
    } catch {
      /* fd closed meanwhile */
    }
  }
  const all = new Map([...table('/proc/net/tcp', false), ...table('/proc/net/tcp6', true)]);
  return inodes.map((i) => all.get(i)).filter((s): s is SocketInfo => s !== undefined);
}

export function isLoopback(addr: string): boolean {
  return addr.startsWith('127.') || addr.startsWith('[::1]:');
}
