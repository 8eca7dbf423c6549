# The stand (the default command) or a lamp, run directly with the permission flags the binary
# bakes in (deno.json's permission set: -P --no-prompt; no `deno task`, so the container's log holds
# only flashlight's own lines), as the image's non-root `deno` user. Not built where the project is
# developed (no container engine); tests/container_test.ts runs this file's ENTRYPOINT + CMD and
# HEALTHCHECK command lines and reads compose.yaml against it.
FROM denoland/deno:2.9.6
WORKDIR /app
COPY --chown=deno:deno deno.json deno.lock main.ts ./
COPY --chown=deno:deno src ./src
COPY --chown=deno:deno scripts/healthcheck.ts ./scripts/
USER deno
# Fetch and type-check every module at build time (exactly the locked versions), so start-up needs
# nothing from the network.
RUN deno cache --frozen main.ts scripts/healthcheck.ts
EXPOSE 9999 9000 8888
# The stand's liveness endpoint on its API port (GET /readyz also says whether it can deliver).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["deno", "run", "-q", "--no-prompt", "--allow-net=127.0.0.1", "scripts/healthcheck.ts", "http://127.0.0.1:9000/healthz"]
ENTRYPOINT ["deno", "run", "-q", "-P", "--no-prompt", "main.ts"]
CMD ["serve", "--host", "0.0.0.0"]
