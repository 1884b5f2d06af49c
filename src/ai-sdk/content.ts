// doGenerate's result, assembled from the same stream parts doStream sends.
import type {
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4Reasoning,
  LanguageModelV4ResponseMetadata,
  LanguageModelV4StreamPart,
  LanguageModelV4Text,
  LanguageModelV4Usage,
  SharedV4ProviderMetadata,
} from "./spec-v4.js";
import { toUsage } from "./stream-parts.js";

export class ContentCollector {
  readonly content: LanguageModelV4Content[] = [];
  finishReason: LanguageModelV4FinishReason = { unified: "other", raw: undefined };
  usage: LanguageModelV4Usage = toUsage(undefined);
  providerMetadata?: SharedV4ProviderMetadata;
  response: LanguageModelV4ResponseMetadata = {};
  /** Blocks still receiving deltas, by stream part id. */
  private readonly texts = new Map<string, LanguageModelV4Text>();
  private readonly reasoning = new Map<string, LanguageModelV4Reasoning>();

  add(part: LanguageModelV4StreamPart): void {
    switch (part.type) {
      case "text-start":
        this.start(this.texts, part.id, { type: "text", text: "", ...metadataOf(part) });
        break;
      case "text-delta":
        this.texts.get(part.id)!.text += part.delta;
        break;
      case "reasoning-start":
        this.start(this.reasoning, part.id, { type: "reasoning", text: "", ...metadataOf(part) });
        break;
      case "reasoning-delta":
        this.reasoning.get(part.id)!.text += part.delta;
        break;
      case "reasoning-end":
        if (part.providerMetadata) this.reasoning.get(part.id)!.providerMetadata = part.providerMetadata;
        break;
      case "tool-call":
      case "source":
        this.content.push(part);
        break;
      case "response-metadata":
        this.response = { id: part.id, modelId: part.modelId };
        break;
      case "finish":
        this.finishReason = part.finishReason;
        this.usage = part.usage;
        this.providerMetadata = part.providerMetadata;
        break;
      default:
        // Ends of text and tool input change nothing in the collected content.
        break;
    }
  }

  private start<T extends LanguageModelV4Content>(open: Map<string, T>, id: string, block: T): void {
    open.set(id, block);
    this.content.push(block);
  }
}

/** The part's provider metadata as a field to spread, absent when there is none. */
function metadataOf(part: { providerMetadata?: SharedV4ProviderMetadata }): { providerMetadata?: SharedV4ProviderMetadata } {
  return part.providerMetadata ? { providerMetadata: part.providerMetadata } : {};
}
