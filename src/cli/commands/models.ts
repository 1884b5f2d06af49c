import { CONNECTION_SETTING_FLAGS, CONNECTION_SETTINGS_HELP } from "../../config/settings.js";
import { COMMON_FLAGS, parseFlags } from "../args.js";
import type { Command } from "../context.js";
import { style } from "../format.js";
import { openProvider } from "../open-provider.js";

export const command: Command = {
  summary: "List the models a provider serves",
  help: `Usage: codex-provider models [options]

Lists the models the selected provider serves for your credential.

Options:
      --json            print a JSON array
      --verbose         error details

${CONNECTION_SETTINGS_HELP}

Examples:
  codex-provider models
  codex-provider models --provider chatgpt --json
`,
  async run(args, context) {
    const { values } = parseFlags(args, { ...COMMON_FLAGS, ...CONNECTION_SETTING_FLAGS });
    const provider = await openProvider(values, context);
    const models = await provider.listModels();
    if (values.json) {
      context.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
      return 0;
    }
    const s = style(context.color);
    if (provider.experimental) context.stderr.write(s.yellow(`${provider.id}: experimental, ChatGPT-backed provider\n`));
    for (const model of models) {
      context.stdout.write(model.displayName && model.displayName !== model.id ? `${model.id}  ${s.dim(model.displayName)}\n` : `${model.id}\n`);
    }
    if (models.length === 0) context.stderr.write("No models listed for this credential.\n");
    return 0;
  },
};
