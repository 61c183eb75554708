/**
 * A whitelist of every line shape the templates produce. The fuzz test holds every
 * rendered file to it: whatever a resource holds, the file can only contain these
 * statements, with addresses, numbers and passwords of the right form.
 */
const IP = '[0-9a-f.:]+'
const IP4 = '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}'
const CIDR = `${IP}/\\d{1,3}`
const N = '\\d{1,10}'
const PATTERN = '-"[A-Za-z0-9_.*:@-]+", '
const FILTER_FN = "'bgp_[a-z0-9.-]+_(?:import|export)FilterV[46]'\\(\\)"
const COND = [
  `\\(net (?:=|!=|~|!~) (?:${CIDR}|\\[ ${CIDR}\\{ ${N}, ${N} \\} \\])\\)`,
  '\\(defined\\(source\\) && source ~ \\[ RTS_BGP \\]\\)',
  '\\(defined\\(ifname\\) && ifname ~ "[A-Za-z0-9_.*:@-]+"\\)',
].join('|')
const NAME = '(?:Mesh|Global|Node)_[0-9a-f_]+(?:_port_\\d{1,5})?'

const STATEMENTS: readonly RegExp[] = [
  `router id ${IP4};`,
  'timeformat (?:base|log|protocol|route) iso long;',
  'log stderr all;',
  `listen bgp(?: address ${IP})?(?: port ${N})?;`,
  'filter calico_(?:kernel_programming|export_to_bgp_peers)',
  '\\{',
  '\\}',
  'protocol (?:kernel|device|direct|static) \\{',
  'template bgp bgp_template \\{',
  `protocol bgp ${NAME} from bgp_template \\{`,
  `  if \\( net [~=] ${CIDR} \\) then (?:accept|reject);`,
  `  if \\( net ~ ${CIDR} \\) then \\{`,
  `    bgp_community\\.add\\(\\(${N}, ${N}\\)\\);`,
  `    bgp_large_community\\.add\\(\\(${N}, ${N}, ${N}\\)\\);`,
  `    bgp_local_pref = ${N};`, // a drained node, towards iBGP peers
  `    bgp_path\\.prepend\\(${N}\\);`, // a drained node, towards eBGP peers
  '  \\}',
  '  (?:accept|reject);',
  '  (?:learn|persist|scan time 2|import all|export filter calico_kernel_programming|graceful restart|merge paths on);',
  '  debug (?:all|\\{ states \\});',
  `  interface (?:${PATTERN})*-"cali\\*", -"kube-ipvs\\*", "\\*";`,
  `  route ${CIDR} blackhole;`,
  '  description "Connection to BGP peer";',
  `  local as ${N};`,
  '  (?:multihop|gateway recursive|export filter calico_export_to_bgp_peers|add paths on);',
  '  (?:connect delay time 2|connect retry time 5|error wait time 5,30);',
  `  neighbor ${IP}(?: port ${N})? as ${N};`,
  `  source address ${IP};`,
  '  ttl security on;',
  `  multihop ${N};`,
  '  passive on;',
  `  graceful restart time ${N};`,
  '  rr client;',
  `  rr cluster id ${IP4};`,
  '  password "[\\x20-\\x21\\x23-\\x5b\\x5d-\\x7e]{1,80}";',
  '  next hop keep;',
  `  allow local as ${N};`,
  '  next hop self;',
  '  disabled;',
  '  description "withheld: BGP password not available";',
  'function calico_export_to_bgp_peers_rules\\(\\)',
  '  calico_export_to_bgp_peers_rules\\(\\);',
  `  if \\( defined\\(source\\) && source = RTS_INHERIT && \\(dest = RTD_ROUTER \\|\\| dest = RTD_MULTIPATH\\) && net ~ ${CIDR} \\) then reject;`,
  `function ${FILTER_FN} \\{`,
  `  if \\((?:${COND})(?: && (?:${COND}))*\\) then \\{ (?:accept|reject); \\}`,
  '  (?:import|export) filter \\{',
  `    ${FILTER_FN};`,
  '    (?:accept|calico_export_to_bgp_peers_rules\\(\\));',
  '  \\};',
  'protocol static static_peer_routes \\{',
  `  route ${CIDR} via ${IP};`,
].map((s) => new RegExp(`^${s}$`))

/** Lines of `text` that are not a known statement (an optional trailing `  # comment` allowed) or a comment. */
export function unknownLines(text: string): string[] {
  return text.split('\n').filter((line) => {
    if (line === '' || /^# [\x20-\x7e]*$/.test(line)) return false
    if (/^\s*#/.test(line)) return true
    const stmt = line.replace(/ +# [\x20-\x7e]*$/, '')
    // A password may itself contain " # ": try the line whole first.
    return !STATEMENTS.some((re) => re.test(line) || re.test(stmt))
  })
}

/** Numbers in places where BIRD wants a bounded value, out of range. */
export function outOfRange(text: string): string[] {
  const bad: string[] = []
  for (const m of text.matchAll(/\b(?:as|local as) (\d+);/g)) if (Number(m[1]) < 1 || Number(m[1]) > 4294967295) bad.push(m[0])
  for (const m of text.matchAll(/\bport (\d+)/g)) if (Number(m[1]) < 1 || Number(m[1]) > 65535) bad.push(m[0])
  for (const m of text.matchAll(/graceful restart time (\d+);/g)) if (Number(m[1]) < 1 || Number(m[1]) > 4095) bad.push(m[0])
  for (const m of text.matchAll(/multihop (\d+);/g)) if (Number(m[1]) < 1 || Number(m[1]) > 255) bad.push(m[0])
  return bad
}
