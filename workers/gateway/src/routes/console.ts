/**
 * The web console's page and files (stage 1 skip list, like /docs): public, and holding nothing
 * but the console's code. What it shows comes from the API, called with the user's own credential.
 */
import * as z from "zod";
import { consoleFile, consolePage } from "../http/console-page.ts";
import { route } from "../http/route-spec.ts";

export const consoleRoutes = [
  route({
    method: "get",
    path: "/console",
    summary: "The web console (its pages are client-side routes in the URL fragment)",
    operationId: "getConsole",
    tag: "system",
    access: { kind: "public" },
    responses: { 200: { description: "HTML page (Content-Security-Policy: same-origin scripts and styles only)", contentType: "text/html" } },
    handler: (c) => consolePage(c),
  }),
  route({
    method: "get",
    path: "/console/:file",
    summary: "A file of the web console (its script or stylesheet)",
    operationId: "getConsoleFile",
    tag: "system",
    access: { kind: "public" },
    params: z.object({ file: z.string().max(100).describe("The file name: app.js or app.css") }),
    errors: ["not_found"],
    responses: { 200: { description: "The file: text/javascript or text/css" } },
    handler: (c, { params }) => consoleFile(c, params.file),
  }),
];
