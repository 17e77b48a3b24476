// etcd keeps each member's peer URLs in its data, not in its flags: a member
// bootstrapped by an older copse on plain HTTP still advertises http:// peer URLs
// after it restarts on TLS. The fix is a member update through etcd's JSON gateway.

/** The member list as etcd's gateway returns it (uint64 IDs are strings in JSON). */
export interface EtcdMemberList {
  members?: { ID?: string; name?: string; peerURLs?: string[] }[];
}

/** The member update that makes the named member advertise `peerUrls`, or undefined when it already does. */
export function peerUrlUpdate(list: EtcdMemberList, name: string, peerUrls: string[]): { ID: string; peerURLs: string[] } | undefined {
  const member = list.members?.find((m) => m.name === name);
  if (!member?.ID) throw new Error(`copse: etcd has no member named ${name}; members: ${JSON.stringify(list.members ?? [])}`);
  const have = [...(member.peerURLs ?? [])].sort();
  const want = [...peerUrls].sort();
  if (have.length === want.length && have.every((u, i) => u === want[i])) return undefined;
  return { ID: member.ID, peerURLs: peerUrls };
}
