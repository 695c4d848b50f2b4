// Federate SPARQL endpoints with Comunica: node federate.mjs QUERY SOURCE_URL...
//
// Runs QUERY over the given SPARQL endpoints as sources ({ type: "sparql", value: URL }) and
// prints each solution as one JSON line: {"var": {"termType", "value", "datatype"?, "language"?}}.
// Comunica is given a fetch that refuses any URL outside the sources' own addresses, so it can
// reach no other host (nor another path of the same host).
import { QueryEngine } from "@comunica/query-sparql";

const [query, ...sources] = process.argv.slice(2);
if (!query || sources.length === 0) {
  process.stderr.write("usage: node federate.mjs QUERY SOURCE_URL...\n");
  process.exit(2);
}

const allowed = sources.map((source) => new URL(source).href);
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
  sources: sources.map((value) => ({ type: "sparql", value })),
  fetch: guardedFetch,
  lenient: false,
});
for await (const bindings of bindingsStream) {
  const row = {};
  for (const [variable, value] of bindings) row[variable.value] = term(value);
  process.stdout.write(JSON.stringify(row) + "\n");
}
