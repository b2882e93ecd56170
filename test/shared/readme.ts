/**
 * README.md's shell blocks as a person runs them (test/e2e/OperatorNode.test.ts, test/e2e/Sentinel.test.ts): the
 * lines of a ```sh block, and each line as the Hardhat process it starts against a test node.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

/**
 * The lines of the first ```sh block under `heading` in README.md (after the text `after` in that section, if given),
 * without comments and blank lines.
 */
export function readmeBlock(heading: string, after?: string): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  let start = readme.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no section '${heading}'`);
  if (after !== undefined) {
    start = readme.indexOf(after, start);
    if (start < 0) throw new Error(`README.md has no '${after}' under '${heading}'`);
  }
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  if (block === null) throw new Error(`README.md has no \`\`\`sh block under '${heading}'`);
  return block[1]
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** Split a command line as a POSIX shell does for plain words, "double" and 'single' quotes. */
export function words(line: string): string[] {
  const out: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(pattern)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

export interface ReadmeCommand {
  /** The environment the line sets before its command. */
  env: NodeJS.ProcessEnv;
  /** The arguments of `npx hardhat`, with `--network localhost` as written. */
  args: string[];
  /** The line ends with `&`: it keeps running in the background. */
  background: boolean;
}

/**
 * A README line `[VAR=value ...] npx hardhat ...` or `[VAR=value ...] npm run <script> -- ...` as the Hardhat command
 * it runs: a package.json script's Hardhat command and the arguments after `--`.
 */
export function hardhatCommand(line: string): ReadmeCommand {
  const background = /\s&$/.test(line);
  const parts = words(background ? line.replace(/\s&$/, "") : line);
  const env: NodeJS.ProcessEnv = {};
  while (parts.length > 0 && /^[A-Z_]+=/.test(parts[0])) {
    const [key, ...value] = parts.shift()!.split("=");
    env[key] = value.join("=");
  }
  if (parts[0] === "npm" && parts[1] === "run") {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    const script = scripts[parts[2]];
    if (script === undefined) throw new Error(`'${line}': package.json has no script '${parts[2]}'`);
    const command = words(script);
    if (command[0] !== "hardhat")
      throw new Error(`'${line}': package.json script ${parts[2]} is not Hardhat`);
    const rest = parts.indexOf("--");
    return { env, args: [...command.slice(1), ...(rest < 0 ? [] : parts.slice(rest + 1))], background };
  }
  if (parts[0] !== "npx" || parts[1] !== "hardhat") throw new Error(`'${line}' is not a Hardhat command`);
  return { env, args: parts.slice(2), background };
}
