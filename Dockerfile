# cmkflow's production image: the product module's jar (nothing of the stand-ins or dev mode), a JRE, a non-root user.
# The compose stack runs it as `serve` (one role per service); any product command works:
# docker run cmkflow:0.1.0-SNAPSHOT runs --status ...  The ARM simulator has an image of its own (dev/Dockerfile).
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY product/pom.xml product/
COPY stand-ins/pom.xml stand-ins/
COPY dev/pom.xml dev/
COPY src/main src/main
COPY workflows workflows
# The stand-ins are built only because the product's tests use them (test scope); the image takes the product's jar.
COPY stand-ins/src/main stand-ins/src/main
RUN mvn -B -q -pl product -am -DskipTests package

FROM eclipse-temurin:17.0.13_11-jre
RUN apt-get update -q && apt-get install -y -q --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app cmkflow
WORKDIR /app
COPY --from=build /src/product/target/cmkflow.jar /app/cmkflow.jar
USER 10001
# 8080: the operator REST API; 8081: management (/health, /health/liveness, /health/readiness).
EXPOSE 8080 8081
# Liveness, not readiness: a Temporal or Service Bus outage makes every replica unready, and restarting them for it
# would not help (orchestrators route by readiness; they restart by liveness).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD curl --silent --fail http://localhost:8081/health/liveness >/dev/null || exit 1
ENTRYPOINT ["java", "-jar", "/app/cmkflow.jar"]
CMD ["serve"]
