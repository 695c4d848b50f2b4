// Federate SPARQL endpoints with Comunica: node federate.mjs QUERY SOURCE...
//
// Runs QUERY over the given sources and prints each solution as one JSON line:
// {"var": {"termType", "value", "datatype"?, "language"?}}.  A source written "sparql@URL" is
// declared a SPARQL endpoint ({ type: "sparql", value: URL }); a bare URL is left for Comunica
// to identify from what it serves (a SPARQL endpoint by its service description).
// Comunica is given a fetch that refuses any URL outside the sources' own addresses, so it can
// reach no other host (nor another path of the same host).
import { QueryEngine } from "@comunica/query-sparql";

const [query, ...sources] = process.argv.slice(2);
if (!query || sources.length === 0) {
  process.stderr.write("usage: node federate.mjs QUERY SOURCE_URL...\n");
  process.exit(2);
}

const DECLARED = "sparql@";
const urls = sources.map((source) => (source.startsWith(DECLARED) ? source.slice(DECLARED.length) : source));
const allowed = urls.map((url) => new URL(url).href);
const guardedFetch = (input, init) => {
  const url = new URL(typeof input === "string" ? input : input.url ?? String(input));
  const endpoint = url.origin + url.pathname;
  if (!allowed.includes(endpoint)) {
    return Promise.reject(new Error(`federate.mjs: refused to fetch ${url.href} (not a source)`));
  }
  return fetch(input, init);
};

function term(value) {
  const out = { termType: value.termType, value: value.value };
  if (value.termType === "Literal") {
    if (value.language) out.language = value.language;
    else out.datatype = value.datatype.value;
  }
  return out;
}

const engine = new QueryEngine();
const bindingsStream = await engine.queryBindings(query, {
  sources: sources.map((source, i) => (source.startsWith(DECLARED) ? { type: "sparql", value: urls[i] } : urls[i])),
  fetch: guardedFetch,
  lenient: false,
});
for await (const bindings of bindingsStream) {
  const row = {};
  for (const [variable, value] of bindings) row[variable.value] = term(value);
  process.stdout.write(JSON.stringify(row) + "\n");
}
