// The settings under which every real-n8n run here works offline (../shared n8n-notes, section 8): no telemetry,
// no version or template calls, no community-package registry, no MCP registry at start.
export const N8N_OFFLINE_ENV = Object.freeze({
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_PERSONALIZATION_ENABLED: 'false',
	N8N_VERIFIED_PACKAGES_ENABLED: 'false',
	N8N_COMMUNITY_PACKAGES_REGISTRY: 'http://127.0.0.1:9',
	N8N_REINSTALL_MISSING_PACKAGES: 'false',
	N8N_DISABLED_MODULES: 'mcp-registry',
	N8N_HOST: '127.0.0.1',
	N8N_SECURE_COOKIE: 'false',
});
