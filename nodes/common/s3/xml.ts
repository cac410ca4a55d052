/**
 * The little XML that the multipart upload needs, without a dependency: S3's answers are small, flat documents
 * (`<InitiateMultipartUploadResult>`, `<CompleteMultipartUploadResult>`, `<Error>`) whose fields are leaf elements
 * holding text, so a reader of leaf elements by name is enough. Namespaces (`xmlns="http://s3.amazonaws.com/..."`)
 * and prefixes (`<s3:Key>`) are ignored, entities and CDATA are decoded.
 */

const NAME = '(?:[A-Za-z_][\\w.-]*:)?';

/** Skips the prolog: the XML declaration, comments, processing instructions, a DOCTYPE and white space. */
const PROLOG = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*/;

/** The name (without prefix) of the document's root element, or undefined when the text is not XML. */
export function xmlRootElement(xml: string): string | undefined {
	const rest = xml.replace(/^\uFEFF/, '').replace(PROLOG, '');
	const match = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]/.exec(rest);
	return match ? match[2] : undefined;
}

/**
 * The decoded text of the first element called `name` (any prefix), `''` for an empty one (`<Name/>`), undefined
 * when there is none. Child markup inside it is returned as it is (S3's fields have none).
 */
export function xmlText(xml: string, name: string): string | undefined {
	const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
	const pattern = new RegExp(
		`<${NAME}${escaped}(?:\\s[^>]*?)?(?:/>|>([\\s\\S]*?)</${NAME}${escaped}\\s*>)`,
	);
	const match = pattern.exec(xml);
	if (!match) return undefined;
	return decodeXmlText(match[1] ?? '');
}

/** Every decoded text of the elements called `name`, in document order. */
export function xmlTexts(xml: string, name: string): string[] {
	const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
	const pattern = new RegExp(
		`<${NAME}${escaped}(?:\\s[^>]*?)?(?:/>|>([\\s\\S]*?)</${NAME}${escaped}\\s*>)`,
		'g',
	);
	const found: string[] = [];
	for (let match = pattern.exec(xml); match; match = pattern.exec(xml)) {
		found.push(decodeXmlText(match[1] ?? ''));
	}
	return found;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Character data as text: CDATA sections kept verbatim, the five named entities and numeric references decoded. */
export function decodeXmlText(text: string): string {
	let out = '';
	let index = 0;
	while (index < text.length) {
		const cdata = text.indexOf('<![CDATA[', index);
		const end = cdata === -1 ? text.length : cdata;
		out += decodeEntities(text.slice(index, end));
		if (cdata === -1) break;
		const close = text.indexOf(']]>', cdata + 9);
		if (close === -1) {
			out += text.slice(cdata + 9);
			break;
		}
		out += text.slice(cdata + 9, close);
		index = close + 3;
	}
	return out;
}

function decodeEntities(text: string): string {
	return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
		if (ref.startsWith('#')) {
			const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
			return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
				? String.fromCodePoint(code)
				: whole;
		}
		return ENTITIES[ref] ?? whole;
	});
}

/** Text made safe as element content (and in attribute values): `&`, `<`, `>`, `"`, `'` escaped. */
export function escapeXml(text: string): string {
	return text.replace(/[&<>"']/g, (c) =>
		c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
	);
}
