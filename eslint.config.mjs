// ESLint 9 flat config: ESLint's and typescript-eslint's recommended rules on every TypeScript and
// JavaScript file, and typescript-eslint's type-aware rules (floating promises, misused promises,
// unsafe `any`, …) on the code that ships: the Workers, the D1 schema and the bench Worker. Tests
// get the syntax rules only: type-aware linting builds a TypeScript program per tsconfig, and
// covering the tests too would almost double the run (CPU time measured here: ~10 s syntax-only,
// ~21 s as configured, ~37 s type-aware everywhere) for rules that matter least in test code.
// `npm run check` runs it; CI runs that after the typecheck.
// No formatter: Prettier at any setting rewrites most files of the current code base, so a format
// check is left out rather than added failing; keep to the style of the file you edit.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const SHIPPED = ["workers/**/*.ts", "schema/**/*.ts", "bench/worker/**/*.ts"];

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/.wrangler/**",
      "**/worker-configuration.d.ts",
      "workers/gateway/assets/**",
      "coverage/**",
    ],
  },
  js.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx"],
    extends: [tseslint.configs.recommended],
    rules: {
      // A leading underscore marks a binding left unused on purpose (`{ secret: _secret, ...rest }`).
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: SHIPPED,
    extends: [tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig.json that includes it (the root one for all of SHIPPED).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // RPC entrypoint methods, Durable Object methods and Hono handlers are async by contract
      // (the caller always gets a Promise), whether or not this implementation awaits anything.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-redundant-type-constituents": "error",
      "@typescript-eslint/no-unsafe-argument": "error",
      "@typescript-eslint/no-unsafe-assignment": "error",
    },
  },
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: { ...globals.node } },
  },
);
