// The current majors of SDKs that need Node >= 22 (ai@7, openai@7) are not devDependencies:
// CI's Node 24 leg installs them apart and names the folder in an environment variable.

/** Why the tests of `pkg`, installed in the folder `variable` names, are skipped here; false to run them. */
export function currentSdkSkip(pkg: string, variable: string): string | false {
  if (Number(process.versions.node.split(".")[0]) < 22) return `${pkg} needs Node >= 22 (this is ${process.version}); CI runs it on its Node 24 leg`;
  return process.env[variable] ? false : `set ${variable} to a folder where \`npm install --prefix <dir> ${pkg}\` ran`;
}
