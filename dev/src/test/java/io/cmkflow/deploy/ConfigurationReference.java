package io.cmkflow.deploy;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.naming.NameUtils;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * README's configuration table, generated from the code: every component of every {@code @ConfigurationProperties}
 * record under {@code io.cmkflow}, every {@code @Property} a bean takes, and every key application.yml sets; each with
 * its environment variable (application.yml's placeholder, else Micronaut's mapping of the name), its default and the
 * modes and meaning from docs/configuration.properties.
 */
final class ConfigurationReference {
    static final Path MEANINGS = Path.of("docs/configuration.properties");
    /** The product's classes and dev mode's (whose settings only `cmkflow dev` reads). */
    private static final List<Path> CLASSES = List.of(Path.of("product/target/classes"), Path.of("dev/target/classes"));
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+):(.*)}");
    private static final Pattern VALUE = Pattern.compile("\\$\\{([a-z0-9.-]+):(.*)}");

    record Setting(String name, String environment, String defaultValue, String modes, String meaning) {
    }

    private ConfigurationReference() {
    }

    static Map<String, Setting> settings() {
        Map<String, Object> yml = flatten("", load());
        Map<String, String> defaults = new TreeMap<>();
        classes().forEach(type -> {
            ConfigurationProperties properties = type.getAnnotation(ConfigurationProperties.class);
            if (properties != null && type.isRecord()) {
                RecordComponent[] components = type.getRecordComponents();
                Parameter[] parameters = canonical(type, components).getParameters();
                for (int i = 0; i < components.length; i++) {
                    RecordComponent component = components[i];
                    // Bindable's targets put it on the canonical constructor's parameter, not on the component.
                    Bindable bindable = parameters[i].getAnnotation(Bindable.class);
                    defaults.put(properties.value() + "." + NameUtils.hyphenate(component.getName()),
                            bindable == null ? "" : bindable.defaultValue());
                }
            }
            List<Executable> injected = new ArrayList<>(List.of(type.getDeclaredConstructors()));
            injected.addAll(List.of(type.getDeclaredMethods()));
            for (Executable executable : injected) {
                for (Parameter parameter : executable.getParameters()) {
                    Property property = parameter.getAnnotation(Property.class);
                    if (property != null) {
                        defaults.merge(property.name(), property.defaultValue(), (a, b) -> a.isEmpty() ? b : a);
                    }
                    // A factory method's @Value("${name:default}"), e.g. the Azure layer's principal settings.
                    Value value = parameter.getAnnotation(Value.class);
                    Matcher expression = value == null ? null : VALUE.matcher(value.value());
                    if (expression != null && expression.matches()) {
                        defaults.merge(expression.group(1), expression.group(2), (a, b) -> a.isEmpty() ? b : a);
                    }
                }
            }
        });
        yml.keySet().stream().filter(key -> !key.startsWith("micronaut.application")).forEach(key -> defaults.putIfAbsent(key, ""));
        Properties meanings = meanings();
        Map<String, Setting> settings = new LinkedHashMap<>();
        defaults.forEach((name, codeDefault) -> {
            String environment = NameUtils.environmentName(name).toUpperCase(Locale.ROOT);
            String value = codeDefault;
            Object configured = yml.get(name);
            if (configured != null) {
                Matcher placeholder = PLACEHOLDER.matcher(configured.toString());
                if (placeholder.matches()) {
                    environment = placeholder.group(1);
                    value = placeholder.group(2).replace("`", "");
                } else {
                    value = configured.toString();
                }
            }
            String[] described = meanings.getProperty(name, "serve, dev|").split("\\|", 2);
            settings.put(name, new Setting(name, environment, value, described[0].trim(), described.length > 1 ? described[1].trim() : ""));
        });
        return settings;
    }

    static Set<String> environmentVariables() {
        return settings().values().stream().map(Setting::environment).collect(Collectors.toSet());
    }

    static String table() {
        StringBuilder table = new StringBuilder("| setting | environment | default | modes | meaning |\n| --- | --- | --- | --- | --- |\n");
        settings().values().forEach(s -> table.append("| `").append(s.name()).append("` | `").append(s.environment()).append("` | ")
                .append(s.defaultValue().isEmpty() ? "" : "`" + s.defaultValue() + "`").append(" | ").append(s.modes())
                .append(" | ").append(s.meaning()).append(" |\n"));
        return table.toString();
    }

    private static Constructor<?> canonical(Class<?> type, RecordComponent[] components) {
        try {
            return type.getDeclaredConstructor(Stream.of(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Stream<Class<?>> classes() {
        return CLASSES.stream().flatMap(classes -> {
            try (Stream<Path> files = Files.walk(classes.resolve("io/cmkflow"))) {
                return files.map(classes::relativize).map(Path::toString).filter(f -> f.endsWith(".class") && !f.contains("$"))
                        .map(f -> f.substring(0, f.length() - ".class".length()).replace('/', '.')).toList().stream();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).map(ConfigurationReference::load);
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, ConfigurationReference.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> load() {
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.yml"))) {
            return new Yaml().load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flatten(String prefix, Map<String, Object> tree) {
        Map<String, Object> flat = new TreeMap<>();
        tree.forEach((key, value) -> {
            String name = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof Map<?, ?> nested) {
                flat.putAll(flatten(name, (Map<String, Object>) nested));
            } else {
                flat.put(name, value);
            }
        });
        return flat;
    }

    private static Properties meanings() {
        Properties meanings = new Properties();
        try (InputStream in = Files.newInputStream(MEANINGS)) {
            meanings.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return meanings;
    }
}
