# The stand and the lamp in one image; the container runs the same tasks CI tests.
# Not exercised by CI here (no container engine); see README "Containers".
FROM denoland/deno:2.9.6
WORKDIR /app
COPY --chown=deno:deno deno.json deno.lock* main.ts ./
COPY --chown=deno:deno src ./src
COPY --chown=deno:deno scripts ./scripts
USER deno
# Cache and type-check every module at build time, so start-up needs nothing from the network.
RUN deno cache main.ts
EXPOSE 9999 9000 8888
ENTRYPOINT ["deno", "task"]
CMD ["serve", "--host", "0.0.0.0"]
