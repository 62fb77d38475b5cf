package dev.jacflux.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a {@link PipelineConfig} from properties, YAML or environment variables, and layers
 * them: environment overrides file overrides defaults.
 *
 * <p>Keys live under {@code jacflux.} in kebab-case ({@code jacflux.chunk-size},
 * {@code jacflux.memory-budget}, ...); camelCase and snake_case spellings of the same key are
 * accepted, as Spring Boot's relaxed binding does. Keys outside {@code jacflux.} are ignored, so
 * a shared {@code application.yaml} works. Environment variables are the upper-case
 * {@code JACFLUX_} forms ({@code JACFLUX_CHUNK_SIZE}, {@code JACFLUX_MEMORY_BUDGET}, ...).
 * Errors are {@link ConfigException}s: an unknown key under {@code jacflux.} (or an unknown
 * {@code JACFLUX_} variable) names the key and lists the known ones; a bad value names the key,
 * the value, where it came from and what was expected.
 * <pre>{@code
 * // application.yaml:
 * //   jacflux:
 * //     job: per-sample-gradients
 * //     memory-budget: 256MiB
 * //     parallelism: 2
 * PipelineConfig c = PipelineConfigLoader.load(Path.of("application.yaml"), System.getenv());
 * // JACFLUX_PARALLELISM=4 in the environment wins over the file: c.parallelism() == 4
 *
 * PipelineConfigLoader.fromEnvironment(Map.of("JACFLUX_PARALELISM", "4"));
 * // ConfigException: unknown environment variable JACFLUX_PARALELISM (environment);
 * //                  known: JACFLUX_JOB, JACFLUX_CHUNK_SIZE, ...
 * }</pre>
 */
public final class PipelineConfigLoader {

    /** Prefix of the environment variables: {@code JACFLUX_}. */
    public static final String ENV_PREFIX = "JACFLUX_";

    /**
     * {@code JACFLUX_} variables that belong to other JacFlux components, not to the pipeline: the
     * launcher's {@code JACFLUX_NO_BUILD} and {@code JACFLUX_DEBUG}, the service's {@code JACFLUX_TOKEN}
     * and {@code JACFLUX_DATA_DIR}, and the service's property groups as Spring Boot binds them from the
     * environment (names starting with one of {@link #OTHER_COMPONENT_PREFIXES}). The environment
     * loader passes over them instead of calling them unknown, so a shell that sets the service's token
     * can still run {@code bin/jacflux demo}.
     */
    public static final Set<String> OTHER_COMPONENT_VARIABLES = Set.of(
            "JACFLUX_NO_BUILD", "JACFLUX_DEBUG", "JACFLUX_TOKEN", "JACFLUX_DATA_DIR", "JACFLUX_BATCH_SIZE");

    /** Prefixes of the service's property groups in the environment ({@code JACFLUX_SECURITY_TOKEN}, ...). */
    public static final List<String> OTHER_COMPONENT_PREFIXES = List.of(
            "JACFLUX_SECURITY_", "JACFLUX_LIMITS_", "JACFLUX_DASHBOARD_", "JACFLUX_KAFKA_", "JACFLUX_TRAINING_");

    private PipelineConfigLoader() {
    }

    /** True for a {@code JACFLUX_} variable of another component (see {@link #OTHER_COMPONENT_VARIABLES}). */
    static boolean belongsToAnotherComponent(String name) {
        return OTHER_COMPONENT_VARIABLES.contains(name) || OTHER_COMPONENT_PREFIXES.stream().anyMatch(name::startsWith);
    }

    /** The known keys, in declaration order: {@code jacflux.job, jacflux.chunk-size, ...}. */
    public static List<String> knownKeys() {
        return Arrays.stream(ConfigKey.values()).map(ConfigKey::key).toList();
    }

    /** The known environment variables, in declaration order: {@code JACFLUX_JOB, ...}. */
    public static List<String> knownEnvironmentVariables() {
        return Arrays.stream(ConfigKey.values()).map(ConfigKey::envName).toList();
    }

    /**
     * Defaults overridden by the {@code jacflux.*} entries of a {@code .properties} file (read
     * as UTF-8).
     *
     * @throws ConfigException if the file cannot be read or holds an unknown key or a bad value
     */
    public static PipelineConfig fromProperties(Path file) {
        return build(List.of(readPropertiesFile(file)));
    }

    /**
     * Defaults overridden by the {@code jacflux.*} entries of {@code properties}.
     *
     * @throws ConfigException on an unknown key or a bad value
     */
    public static PipelineConfig fromProperties(Properties properties) {
        return build(List.of(propertiesSource(properties, "properties")));
    }

    /**
     * Defaults overridden by the {@code jacflux:} section of a YAML file (read as UTF-8).
     *
     * @throws ConfigException if the file cannot be read, is not valid YAML, or holds an unknown
     *                         key or a bad value
     */
    public static PipelineConfig fromYaml(Path file) {
        return build(List.of(readYamlFile(file)));
    }

    /**
     * Defaults overridden by the {@code jacflux:} section of YAML text.
     *
     * @throws ConfigException if the text is not valid YAML or holds an unknown key or a bad value
     */
    public static PipelineConfig fromYaml(String yaml) {
        return build(List.of(yamlSource(yaml, "YAML text")));
    }

    /**
     * Defaults overridden by the {@code JACFLUX_*} entries of {@code environment} (pass
     * {@code System.getenv()}, or a map in tests). Other variables are ignored.
     *
     * @throws ConfigException on an unknown {@code JACFLUX_} variable or a bad value
     */
    public static PipelineConfig fromEnvironment(Map<String, String> environment) {
        return build(List.of(environmentSource(environment)));
    }

    /**
     * Defaults overridden by the environment.
     *
     * @throws ConfigException on an unknown {@code JACFLUX_} variable or a bad value
     */
    public static PipelineConfig load(Map<String, String> environment) {
        return fromEnvironment(environment);
    }

    /**
     * Defaults, overridden by {@code file} ({@code .properties}, {@code .yaml} or {@code .yml}),
     * overridden by the environment. Validation runs once on the merged values, so a file may
     * set a value that only the environment makes consistent.
     *
     * @throws ConfigException if the file cannot be read or has another extension, or on an
     *                         unknown key or a bad value (the message says which source set it)
     */
    public static PipelineConfig load(Path file, Map<String, String> environment) {
        Objects.requireNonNull(file, "file");
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        Source fileSource;
        if (name.endsWith(".properties")) {
            fileSource = readPropertiesFile(file);
        } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            fileSource = readYamlFile(file);
        } else {
            throw new ConfigException(null, "unsupported configuration file '" + file
                    + "': expected a .properties, .yaml or .yml file");
        }
        return build(List.of(fileSource, environmentSource(environment)));
    }

    // ---------------------------------------------------------------- sources

    /** One value and where it came from ("file app.yaml, key jacflux.chunk-size"). */
    private record Setting(String raw, String origin) {
    }

    /** The recognized settings of one source. */
    private record Source(Map<ConfigKey, Setting> settings) {
    }

    private static Source readPropertiesFile(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw unreadable(file, e);
        }
        return propertiesSource(properties, "file " + file);
    }

    private static Source readYamlFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        return yamlSource(text, "file " + file);
    }

    private static ConfigException unreadable(Path file, Exception e) {
        return new ConfigException(null, "cannot read configuration file '" + file + "': " + e, e);
    }

    private static Source propertiesSource(Properties properties, String where) {
        Map<String, Object> flat = new TreeMap<>();
        for (Map.Entry<Object, Object> e : properties.entrySet()) {
            flat.put(String.valueOf(e.getKey()), e.getValue());
        }
        return keyedSource(flat, where);
    }

    private static Source yamlSource(String yaml, String where) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(options)).load(Objects.requireNonNull(yaml, "yaml"));
        } catch (YAMLException e) {
            throw new ConfigException(null, "invalid YAML in " + where + ": " + e.getMessage(), e);
        }
        Map<String, Object> flat = new TreeMap<>();
        if (root instanceof Map<?, ?> map) {
            flatten("", map, flat);
        } else if (root != null) {
            throw new ConfigException(null, "invalid YAML in " + where
                    + ": expected a mapping with a top-level '" + PipelineConfig.PREFIX + ":' key, got "
                    + describe(root));
        }
        return keyedSource(flat, where);
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (e.getValue() instanceof Map<?, ?> nested && !nested.isEmpty()) {
                flatten(key + ".", nested, out);
            } else {
                out.put(key, e.getValue());
            }
        }
    }

    /** Recognizes {@code jacflux.*} keys of a properties or flattened YAML source. */
    private static Source keyedSource(Map<String, Object> flat, String where) {
        Map<ConfigKey, Setting> settings = new EnumMap<>(ConfigKey.class);
        Map<ConfigKey, String> spelledAs = new EnumMap<>(ConfigKey.class);
        String prefix = PipelineConfig.PREFIX + ".";
        for (Map.Entry<String, Object> e : flat.entrySet()) {
            String key = e.getKey();
            boolean ours = key.regionMatches(true, 0, prefix, 0, prefix.length())
                    || key.equalsIgnoreCase(PipelineConfig.PREFIX);
            if (!ours) {
                continue;
            }
            String rest = key.length() > prefix.length() ? key.substring(prefix.length()) : "";
            ConfigKey known = rest.contains(".") ? null : ConfigKey.byRelaxedName(rest);
            if (known == null) {
                throw new ConfigException(key, "unknown configuration key '" + key + "' in " + where
                        + "; known keys: " + String.join(", ", knownKeys()));
            }
            String origin = where + ", key " + key;
            String previous = spelledAs.put(known, key);
            if (previous != null) {
                throw new ConfigException(known.key(), known.key() + " is set twice in " + where + ": as '"
                        + previous + "' and as '" + key + "'");
            }
            settings.put(known, new Setting(scalar(known, e.getValue(), origin), origin));
        }
        return new Source(settings);
    }

    private static Source environmentSource(Map<String, String> environment) {
        Map<ConfigKey, Setting> settings = new EnumMap<>(ConfigKey.class);
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(ENV_PREFIX) || belongsToAnotherComponent(name)) {
                continue;
            }
            ConfigKey known = null;
            for (ConfigKey k : ConfigKey.values()) {
                if (k.envName().equals(name)) {
                    known = k;
                }
            }
            if (known == null) {
                String asKey = PipelineConfig.PREFIX + "."
                        + name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
                throw new ConfigException(asKey, "unknown environment variable " + name
                        + "; known: " + String.join(", ", knownEnvironmentVariables()));
            }
            String origin = "environment variable " + name;
            settings.put(known, new Setting(scalar(known, e.getValue(), origin), origin));
        }
        return new Source(settings);
    }

    private static String scalar(ConfigKey key, Object value, String origin) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new ConfigException(key.key(), key.key() + ": no value (" + origin + "); expected "
                    + key.expected());
        }
        if (value instanceof Map<?, ?> || value instanceof Iterable<?>) {
            throw new ConfigException(key.key(), key.key() + ": invalid value " + describe(value) + " ("
                    + origin + "); expected a single value: " + key.expected());
        }
        return String.valueOf(value);
    }

    private static String describe(Object value) {
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof Iterable<?>) {
            return "a list";
        }
        return "'" + value + "'";
    }

    // ---------------------------------------------------------------- layering

    private static PipelineConfig build(List<Source> layers) {
        Map<ConfigKey, Setting> merged = new EnumMap<>(ConfigKey.class);
        for (Source layer : layers) {
            merged.putAll(layer.settings());
        }
        PipelineConfig.Builder builder = PipelineConfig.builder();
        for (Map.Entry<ConfigKey, Setting> e : merged.entrySet()) {
            ConfigKey key = e.getKey();
            Setting s = e.getValue();
            try {
                key.apply(builder, s.raw());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(key.key(), key.key() + ": invalid value '" + s.raw() + "' ("
                        + s.origin() + "); expected " + key.expected(), ex);
            }
        }
        try {
            return builder.build();
        } catch (ConfigException ex) {
            for (Map.Entry<ConfigKey, Setting> e : merged.entrySet()) {
                if (e.getKey().key().equals(ex.key())) {
                    throw new ConfigException(ex.key(), ex.getMessage() + " (" + e.getValue().origin() + ")", ex);
                }
            }
            throw ex;
        }
    }
}
