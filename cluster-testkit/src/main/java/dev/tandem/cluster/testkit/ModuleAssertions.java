package dev.tandem.cluster.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks for a strategy module's {@code ModuleTest}: what it provides and what it shows. Run them
 * from tests on the module path (Surefire's default for modules with a {@code module-info}).
 */
public final class ModuleAssertions {
    /** The service interfaces Tandem finds with {@link java.util.ServiceLoader}. */
    public static final List<String> TANDEM_SERVICES = List.of("dev.tandem.cluster.spi.DiscoveryProvider",
            "dev.tandem.cluster.spi.JobSchedulerProvider", "dev.tandem.cluster.spi.PlacementProvider");

    private ModuleAssertions() {
    }

    /**
     * Asserts that for every service the module {@code provides}, and for every Tandem service,
     * {@code META-INF/services/<service>} lists exactly the descriptor's providers (a missing file
     * counts as listing none). Class-path users see only those files, so they must not drift from
     * {@code module-info.java}.
     */
    public static void assertServicesFilesMatchProvides(Module module) {
        ModuleDescriptor descriptor = requireNamed(module).getDescriptor();
        Set<String> services = new TreeSet<>(TANDEM_SERVICES);
        descriptor.provides().forEach(p -> services.add(p.service()));
        for (String service : services) {
            Set<String> declared = descriptor.provides().stream().filter(p -> p.service().equals(service))
                    .flatMap(p -> p.providers().stream()).collect(Collectors.toCollection(TreeSet::new));
            assertThat(servicesFile(module, service))
                    .as("META-INF/services/%s of module %s must list what module-info provides", service, module.getName())
                    .isEqualTo(declared);
        }
    }

    /**
     * Asserts that the public top-level and nested types of the module are exactly
     * {@code expected}; everything else is package-private. Test classes patched into the module
     * are ignored when their names end in {@code Test}, {@code Tests} or {@code Properties}.
     */
    public static void assertPublicTypes(Module module, Class<?>... expected) {
        String name = requireNamed(module).getName();
        ModuleReference reference = ModuleLayer.boot().configuration().findModule(name)
                .orElseThrow(() -> new AssertionError("module " + name + " is not in the boot layer")).reference();
        assertPublicTypes(reference, className -> Class.forName(module, className), expected);
    }

    /** Loads a class by name, or returns {@code null} when there is none. */
    interface ClassLookup {
        Class<?> find(String className) throws ClassNotFoundException;
    }

    /** {@link #assertPublicTypes(Module, Class[])} for a module read from disk, its classes found by {@code lookup}. */
    static void assertPublicTypes(ModuleReference reference, ClassLookup lookup, Class<?>... expected) {
        Set<String> publicTypes = new TreeSet<>();
        try (ModuleReader reader = reference.open(); Stream<String> resources = reader.list()) {
            for (String resource : resources.filter(r -> r.endsWith(".class") && !r.endsWith("module-info.class")).toList()) {
                String className = resource.substring(0, resource.length() - ".class".length()).replace('/', '.');
                if (className.matches(".*(Test|Tests|Properties)(\\$.*)?")) {
                    continue;
                }
                Class<?> type = lookup.find(className);
                if (type != null && Modifier.isPublic(type.getModifiers()) && !type.isAnonymousClass()) {
                    publicTypes.add(type.getName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("module " + reference.descriptor().name() + " lists a class it cannot load", e);
        }
        Set<String> wanted = new TreeSet<>();
        for (Class<?> c : expected) {
            wanted.add(c.getName());
        }
        assertThat(publicTypes).as("public types of module %s", reference.descriptor().name()).isEqualTo(wanted);
    }

    private static Module requireNamed(Module module) {
        if (!module.isNamed()) {
            throw new AssertionError("expected a named module but the class under test is on the class path ("
                    + module + "); run the test on the module path");
        }
        return module;
    }

    private static Set<String> servicesFile(Module module, String service) {
        Set<String> out = new TreeSet<>();
        try (InputStream in = module.getResourceAsStream("META-INF/services/" + service)) {
            if (in == null) {
                return out;
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                int hash = line.indexOf('#');
                String entry = (hash >= 0 ? line.substring(0, hash) : line).strip();
                if (!entry.isEmpty()) {
                    out.add(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
