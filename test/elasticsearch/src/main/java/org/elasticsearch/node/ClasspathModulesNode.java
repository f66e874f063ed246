package org.elasticsearch.node;

import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

import java.util.Map;

/**
 * A genuine Elasticsearch {@link Node} whose modules (e.g. transport-netty4) are plugin classes found on the classpath.
 *
 * <p>Production nodes get their modules from {@code $ES_HOME/modules} through a {@link PluginsLoader}; embedded test
 * nodes (ES's own {@code MockNode}, codelibs' cluster runner) instead hand classpath plugin classes to a custom
 * {@link PluginsService}. The hook for that ({@code NodeServiceProvider#newPluginService} and the
 * {@code Node(NodeConstruction)} constructor) is package-private, hence this class lives in {@code org.elasticsearch.node}.
 * Nothing else of the node is replaced: no mock services, the real HTTP/transport layers of the netty4 module.
 */
public class ClasspathModulesNode extends Node {

    private final boolean ownsLoggingIds;

    /**
     * @param ownsLoggingIds whether this node publishes its node/cluster id to the (process-wide) logging pattern
     *                       converters; only one node per JVM may, as they can be set once
     */
    public ClasspathModulesNode(Environment environment, Map<String, Class<? extends Plugin>> modules, boolean ownsLoggingIds) {
        super(NodeConstruction.prepareConstruction(environment, null, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment env, PluginsLoader pluginsLoader) {
                return new ClasspathPluginsService(env, modules);
            }
        }, true));
        this.ownsLoggingIds = ownsLoggingIds;
    }

    @Override
    protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {
        if (ownsLoggingIds) {
            super.configureNodeAndClusterIdStateListener(clusterService);
        }
    }
}
