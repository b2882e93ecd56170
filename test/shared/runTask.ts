/** Run a Hardhat task in-process exactly as `npx hardhat <task>` runs it, with its console output captured. */
import hre from "hardhat";

export async function runTask<T>(
  name: string,
  args: Record<string, unknown>,
): Promise<{ result: T; out: string }> {
  const original = console.log;
  const out: string[] = [];
  console.log = (...parts: unknown[]) => void out.push(parts.map(String).join(" "));
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const result = (await hre.run(name, args)) as T;
    return { result, out: out.join("\n") };
  } finally {
    console.log = original;
    process.stdout.write = write;
  }
}
