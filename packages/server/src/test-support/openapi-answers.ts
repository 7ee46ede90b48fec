import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { expect } from 'chai';
import type { Answer } from './test-server.js';

interface MediaType {
  readonly schema: Record<string, unknown>;
}
interface ResponseObject {
  readonly description: string;
  readonly headers?: Record<string, { readonly required?: boolean; readonly schema: Record<string, unknown> }>;
  readonly content?: Record<string, MediaType>;
}
interface Operation {
  readonly responses: Record<string, ResponseObject>;
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components?: { readonly schemas?: Record<string, unknown> };
}

/** `{ operation: "POST /invitations", code }` of one problem answer. */
export type ProblemPair = `${string} ${string} ${string}`;

/**
 * Checks real answers of a started server against its served OpenAPI document: the operation
 * exists, the status is documented, the content type is the documented one (or none), the body
 * validates against the documented schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses), and every
 * header the response requires is there and valid. Records which problem code each operation
 * answered.
 */
export class OpenApiAnswers {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true, strictTuples: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { readonly template: string; readonly pattern: RegExp; readonly params: number }[];
  /** Every (operation, status, code) pair answered so far, e.g. "DELETE /members/{userId} 409 last_admin". */
  readonly problemPairs = new Set<ProblemPair>();
  checked = 0;

  constructor(readonly document: Document) {
    (formats as unknown as (ajv: Ajv2020) => Ajv2020)(this.ajv);
    // The document is not a schema: its shared schemas become one, which the response schemas
    // (compiled on their own, strictly) reference.
    this.ajv.addSchema({ $id: 'components.json', $defs: document.components?.schemas ?? {} });
    // Literal paths first: "/invitations/accept" is not "/invitations/{invitationId}".
    this.templates = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[A-Za-z]+\}/g, '[^/]+')}$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.params - b.params);
  }

  /** The operation key ("GET /members/{userId}/clients") of an API path, undefined for an undocumented path. */
  operationOf(method: string, path: string): string | undefined {
    const bare = path.split('?', 1)[0] ?? '';
    const found = this.templates.find((t) => t.pattern.test(bare) && this.document.paths[t.template]?.[method.toLowerCase()] !== undefined);
    return found === undefined ? undefined : `${method.toUpperCase()} ${found.template}`;
  }

  /** Asserts that `answer` to `method path` (relative to the API's mount point) is described exactly. */
  check(answer: Answer): void {
    const operationKey = this.operationOf(answer.method, answer.path);
    expect(operationKey, `${answer.method} ${answer.path}: no documented operation`).not.to.equal(undefined);
    const context = `${operationKey ?? ''} → ${answer.status}${answer.status >= 400 ? ` ${(answer.body as { code?: string } | undefined)?.code ?? ''}` : ''}`;
    const [method, template] = (operationKey ?? ' ').split(' ') as [string, string];
    const response = this.document.paths[template]?.[method.toLowerCase()]?.responses[String(answer.status)];
    expect(response, `${context}: status not documented`).not.to.equal(undefined);
    if (response === undefined) return;
    const contentType = (answer.headers.get('content-type') ?? '').split(';', 1)[0]?.trim() ?? '';
    if (response.content === undefined) {
      expect(answer.text, `${context}: an answer documented without content has a body`).to.equal('');
    } else {
      expect(Object.keys(response.content), `${context}: content type`).to.include(contentType);
      const validate = this.validator(`${operationKey ?? ''} ${answer.status} ${contentType}`, response.content[contentType]?.schema ?? {});
      expect(validate(answer.body), `${context}: ${this.ajv.errorsText(validate.errors)}`).to.equal(true);
      if (contentType === 'application/problem+json') {
        const code = (answer.body as { code: string }).code;
        this.problemPairs.add(`${method} ${template} ${code}`);
      }
    }
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const value = answer.headers.get(name);
      if (header.required === true) expect(value, `${context}: header ${name}`).to.be.a('string');
      if (value !== null) {
        const validate = this.validator(`${operationKey ?? ''} ${answer.status} header ${name}`, header.schema);
        expect(validate(header.schema.type === 'integer' ? Number(value) : value), `${context}: header ${name}: ${value}`).to.equal(true);
      }
    }
    this.checked += 1;
  }

  /** Every (operation, code) pair the document lists, from each problem response's `code` enum. */
  documentedPairs(): Set<ProblemPair> {
    const pairs = new Set<ProblemPair>();
    for (const [template, operations] of Object.entries(this.document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const response of Object.values(operation.responses)) {
          const schema = response.content?.['application/problem+json']?.schema;
          if (schema === undefined) continue;
          for (const code of codesOf(schema)) pairs.add(`${method.toUpperCase()} ${template} ${code}`);
        }
      }
    }
    return pairs;
  }

  private validator(key: string, schema: Record<string, unknown>): ValidateFunction {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      const standalone = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"components.json#/$defs/')) as Record<string, unknown>;
      validate = this.ajv.compile(standalone);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** The codes a problem schema admits: its `code` enum (or const), through `oneOf` alternatives. */
function codesOf(schema: Record<string, unknown>): string[] {
  const alternatives = (schema.oneOf as Record<string, unknown>[] | undefined) ?? [schema];
  return alternatives.flatMap((alternative) => {
    const code = (alternative.properties as Record<string, { enum?: string[]; const?: string }> | undefined)?.code;
    return code?.enum ?? (code?.const === undefined ? [] : [code.const]);
  });
}

/**
 * Every problem code a served OpenAPI document lists (a problem+json response's description names
 * its codes), plus `route_not_found`, which any unknown path answers.
 */
export function documentedProblemCodes(document: unknown): Set<string> {
  const codes = new Set<string>(['route_not_found']);
  for (const operations of Object.values((document as Document).paths)) {
    for (const { responses } of Object.values(operations)) {
      for (const response of Object.values(responses)) {
        if (response.content?.['application/problem+json'] !== undefined) for (const code of response.description.split(', ')) codes.add(code);
      }
    }
  }
  return codes;
}
