// A data path in machines.yml (['containers', 'web', 'ports', 0]) and how messages write it.

export type Path = readonly (string | number)[];

/** containers.web.ports[0] */
export function pathToString(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}
