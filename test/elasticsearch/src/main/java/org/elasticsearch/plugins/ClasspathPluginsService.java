package org.elasticsearch.plugins;

import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.spi.SPIClassIterator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link PluginsService} that loads Elasticsearch modules/plugins whose classes are already on the JVM
 * classpath (the official jars resolved by Maven) instead of unpacking bundles from {@code $ES_HOME/modules}.
 *
 * <p>It lives in the {@code org.elasticsearch.plugins} package because the hooks it needs
 * ({@code LoadedPlugin}, {@code loadPlugin}, {@code loadExtensions}, the package-private {@code PluginsLoader}
 * constructor) are package-private. Everything runs on the classpath (unnamed module), so this split package is legal.
 */
public class ClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> loaded;
    private final PluginsAndModules info;

    /**
     * @param modules module name (as in its {@code plugin-descriptor.properties}) to its plugin class, in load order
     */
    public ClasspathPluginsService(Environment environment, Map<String, Class<? extends Plugin>> modules) {
        super(environment.settings(), environment.configDir(), new PluginsLoader(Set.of(), Set.of(), Map.of()));
        Settings settings = environment.settings();
        List<LoadedPlugin> list = new ArrayList<>();
        for (var entry : modules.entrySet()) {
            Class<? extends Plugin> moduleClass = entry.getValue();
            Plugin instance = loadPlugin(moduleClass, settings, environment.configDir());
            list.add(new LoadedPlugin(describe(entry.getKey(), moduleClass), instance, moduleClass.getClassLoader()));
        }
        loadExtensions(list);
        this.loaded = List.copyOf(list);
        // Report them as modules (as a real distribution does for transport-netty4): `_cat/plugins` stays empty.
        this.info = new PluginsAndModules(List.of(), loaded.stream().map(LoadedPlugin::descriptor).toList());
    }

    /** Use the official descriptor shipped inside the module jar when there is one, else synthesize one. */
    private static PluginDescriptor describe(String name, Class<? extends Plugin> moduleClass) {
        ClassLoader loader = moduleClass.getClassLoader();
        try (InputStream in = loader.getResourceAsStream("META-INF/es-plugins/" + name + "/plugin-descriptor.properties")) {
            if (in != null) {
                PluginDescriptor d = PluginDescriptor.readInternalDescriptorFromStream(in);
                if (moduleClass.getName().equals(d.getClassname())) {
                    return d;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PluginDescriptor(
            name,
            "classpath module " + moduleClass.getName(),
            org.elasticsearch.Build.current().version(),
            org.elasticsearch.Build.current().version(),
            Integer.toString(Runtime.version().feature()),
            moduleClass.getName(),
            null,
            List.of(),
            false,
            false,
            false,
            false
        );
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        // called by the super constructor before our fields are set
        return loaded == null ? List.of() : loaded;
    }

    @Override
    public PluginsAndModules info() {
        return info;
    }

    /**
     * All classpath modules share the system class loader, so a plain SPI scan would attribute every provider on the
     * classpath to every module. Keep each provider class once, and skip providers whose single-argument constructor
     * expects a different plugin type.
     */
    @Override
    @SuppressWarnings("unchecked")
    public <T> List<? extends T> loadServiceProviders(Class<T> service) {
        Map<Class<?>, T> byClass = new LinkedHashMap<>();
        for (LoadedPlugin p : plugins()) {
            Plugin plugin = p.instance();
            var it = SPIClassIterator.get(service, plugin.getClass().getClassLoader());
            while (it.hasNext()) {
                Class<? extends T> providerClass = it.next();
                if (byClass.containsKey(providerClass)) continue;
                boolean fits = true;
                for (Constructor<?> c : providerClass.getConstructors()) {
                    if (c.getParameterCount() == 1 && c.getParameterTypes()[0] != plugin.getClass()) {
                        fits = false;
                        break;
                    }
                }
                if (fits) {
                    byClass.put(providerClass, createExtension(providerClass, service, plugin));
                }
            }
        }
        return List.copyOf(byClass.values());
    }
}
