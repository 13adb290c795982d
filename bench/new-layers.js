#!/usr/bin/env node
// The bytes of the layers an image has that another lacks, as the registry
// stores them (compressed): for the "one Dockerfile changed" bench row.
//
//   node bench/new-layers.js "OLD_REF@DIGEST ..." "NEW_REF@DIGEST ..."
//
// Each argument lists one image's platform manifests by digest (a receipt's
// platforms[].cached), on a loopback registry.
'use strict';
const ACCEPT = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

async function layers(reference) {
  const [repository, digest] = reference.split('@');
  const [host, ...path] = repository.split('/');
  const response = await fetch(`http://${host}/v2/${path.join('/')}/manifests/${digest}`, { headers: { Accept: ACCEPT } });
  if (!response.ok) throw new Error(`${reference}: HTTP ${response.status}`);
  return (await response.json()).layers;
}

async function main() {
  const [oldRefs, newRefs] = process.argv.slice(2).map((list) => (list ?? '').split(' ').filter(Boolean));
  if (!oldRefs?.length || !newRefs?.length) throw new Error('usage: new-layers.js "OLD@DIGEST ..." "NEW@DIGEST ..."');
  const old = new Set((await Promise.all(oldRefs.map(layers))).flat().map((l) => l.digest));
  const fresh = (await Promise.all(newRefs.map(layers))).flat().filter((l) => !old.has(l.digest));
  console.log(fresh.reduce((sum, l) => sum + l.size, 0));
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
