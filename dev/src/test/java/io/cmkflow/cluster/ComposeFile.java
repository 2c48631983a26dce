package io.cmkflow.cluster;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docker-compose.yml as the topology harness reads it: each service's image, entrypoint, command, environment (YAML
 * merge keys resolved) and volumes, with compose's variable interpolation applied ({@code ${VAR}},
 * {@code ${VAR:-default}}, {@code ${VAR-default}}, {@code $$}) against the variables given, as {@code docker compose}
 * does against the shell and {@code .env}.
 */
final class ComposeFile {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?}");

    /** One service, interpolated. */
    record Service(String name, String image, List<String> entrypoint, List<String> command,
                   Map<String, String> environment, List<String> volumes) {
        /** The image's tag ({@code temporalio/server:1.32.2} gives {@code 1.32.2}). */
        String imageTag() {
            return image == null ? "" : image.substring(image.lastIndexOf(':') + 1);
        }
    }

    private final Map<String, Service> services;

    private ComposeFile(Map<String, Service> services) {
        this.services = services;
    }

    static ComposeFile read(Path file, Map<String, String> variables) {
        Map<String, Object> yaml;
        try (InputStream in = Files.newInputStream(file)) {
            yaml = new Yaml().load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Service> services = new LinkedHashMap<>();
        map(yaml.get("services")).forEach((name, body) -> {
            Map<String, Object> service = map(body);
            Map<String, String> environment = new LinkedHashMap<>();
            map(service.get("environment")).forEach((key, value) ->
                    environment.put(key, interpolate(String.valueOf(value), variables)));
            services.put(name, new Service(name, (String) service.get("image"),
                    strings(service.get("entrypoint"), variables), strings(service.get("command"), variables),
                    environment, strings(service.get("volumes"), variables)));
        });
        return new ComposeFile(services);
    }

    Service service(String name) {
        Service service = services.get(name);
        if (service == null) {
            throw new AssertionError("docker-compose.yml has no service " + name);
        }
        return service;
    }

    Set<String> serviceNames() {
        return services.keySet();
    }

    /** Compose's interpolation of one value. */
    static String interpolate(String value, Map<String, String> variables) {
        Matcher matcher = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            if (matcher.group().equals("$$")) {
                replacement = "$";
            } else {
                String set = variables.get(matcher.group(1));
                boolean colon = ":".equals(matcher.group(2));
                boolean missing = set == null || (colon && set.isEmpty());
                String operator = matcher.group(3);
                if (operator == null) {
                    replacement = set == null ? "" : set;
                } else if (operator.equals("-")) {
                    replacement = missing ? matcher.group(4) : set;
                } else if (missing) {
                    throw new AssertionError("docker-compose.yml requires " + matcher.group(1) + ": " + matcher.group(4));
                } else {
                    replacement = set;
                }
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static List<String> strings(Object value, Map<String, String> variables) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(item -> interpolate(String.valueOf(item), variables)).toList();
        }
        // The shell form: compose splits it on spaces (none of this file's quoting needs more).
        return List.of(interpolate(String.valueOf(value), variables).trim().split("\\s+"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }
}
