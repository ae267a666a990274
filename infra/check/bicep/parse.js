// parse.js parses each Bicep file named on the command line with the
// tree-sitter Bicep grammar and prints every syntax error (ERROR and MISSING
// nodes) with its line and column. Exit status 1 when any file has one.
// It checks syntax only: no Bicep compiler runs offline, so misspelled
// properties and wrong types are not caught here (the deploy workflow runs
// `az bicep build` and what-if).
"use strict";
const fs = require("fs");
const Parser = require("tree-sitter");
const Bicep = require("tree-sitter-bicep");

const parser = new Parser();
parser.setLanguage(Bicep);

function errors(node, out) {
  if (node.isMissing) {
    out.push({ node, what: `missing ${node.type}` });
  } else if (node.type === "ERROR") {
    out.push({ node, what: "syntax error" });
  }
  for (const child of node.children) {
    if (child.hasError || child.isMissing || child.type === "ERROR") {
      errors(child, out);
    }
  }
  return out;
}

let failed = false;
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node parse.js FILE.bicep...");
  process.exit(2);
}
for (const file of files) {
  const text = fs.readFileSync(file, "utf8");
  // The callback form has no 32 KiB limit on the input.
  const tree = parser.parse((i) => text.slice(i, i + 4096));
  if (!tree.rootNode.hasError) {
    continue;
  }
  failed = true;
  for (const { node, what } of errors(tree.rootNode, [])) {
    const p = node.startPosition;
    const snippet = text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 60)).replace(/\n/g, "\\n");
    console.log(`${file}:${p.row + 1}:${p.column + 1}: ${what} near "${snippet}"`);
  }
}
process.exit(failed ? 1 : 0);
