# cmkflow: Maven build stage, JRE runtime as a non-root user. The compose stack runs it as `serve` (one role per
# service) and as `arm-simulator`; any cmkflow command works: docker run cmkflow:0.1.0-SNAPSHOT runs --status ...
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src/main src/main
COPY workflows workflows
RUN mvn -B -q -Dmaven.test.skip=true package

FROM eclipse-temurin:17.0.13_11-jre
RUN apt-get update -q && apt-get install -y -q --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app cmkflow
WORKDIR /app
COPY --from=build /src/target/cmkflow-0.1.0-SNAPSHOT.jar /app/cmkflow.jar
USER 10001
# 8080: the operator REST API; 8081: management (/health, /health/liveness, /health/readiness).
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD curl --silent --fail http://localhost:8081/health/readiness >/dev/null || exit 1
ENTRYPOINT ["java", "-jar", "/app/cmkflow.jar"]
CMD ["serve"]
