export declare const CATEGORIES: ReadonlyArray<{
    name: string;
    nouns: readonly string[];
}>;
export declare const BRANDS: readonly ['Northwind', 'Acme', 'Fjordlund', 'Kestrel', 'Oakridge', 'Luma', 'Brightside', 'Tamarack', 'Harbor & Co', 'Vela', 'Pinecrest', 'Solace', 'Atlas', 'Meridian', 'Quill', 'Ember'];
export declare const ADJECTIVES: readonly ['Classic', 'Compact', 'Premium', 'Essential', 'Deluxe', 'Lightweight', 'Heavy-Duty', 'Ergonomic', 'Modern', 'Rustic', 'Foldable', 'Wireless', 'Eco', 'Pro', 'Everyday', 'Heritage'];
export declare const MATERIALS: readonly ['stainless steel', 'bamboo', 'recycled plastic', 'oak', 'cast iron', 'aluminium', 'organic cotton', 'silicone', 'ceramic', 'wool', 'canvas', 'walnut', 'glass', 'carbon fibre'];
export declare const QUALITIES: readonly ['durable', 'easy to clean', 'built to last', 'travel friendly', 'quiet', 'water resistant', 'energy efficient', 'hand finished', 'dishwasher safe', 'award winning', 'best selling', 'space saving', 'beginner friendly', 'professional grade', 'gift ready', 'repairable'];
export declare const COLOURS: readonly ['black', 'white', 'slate', 'sand', 'forest green', 'navy', 'terracotta', 'mustard', 'charcoal', 'sky blue', 'natural'];
export declare const TAGS: readonly ['bestseller', 'new', 'sale', 'eco', 'gift', 'limited', 'bundle', 'premium', 'clearance', 'staff-pick', 'trending', 'refurbished'];
export declare const FIRST_NAMES: readonly ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Lucas', 'Mia', 'Leo', 'Sofia', 'Elias', 'Amelia', 'Mateo', 'Chloe', 'Hugo', 'Nora', 'Arjun', 'Yuki', 'Fatima', 'Kofi', 'Ingrid', 'Diego', 'Aisha', 'Tomas', 'Priya', 'Jonas', 'Lena', 'Omar', 'Zoe', 'Ravi', 'Hannah'];
export declare const LAST_NAMES: readonly ['Smith', 'Garcia', 'Müller', 'Rossi', 'Dubois', 'Nakamura', 'Okafor', 'Johansson', 'Kowalski', 'Silva', 'Nguyen', 'Patel', 'Jensen', 'Moreau', 'Costa', 'Schmidt', 'Haddad', 'Novak', 'Berg', 'Walsh'];
export declare const CITIES: ReadonlyArray<[city: string, country: string]>;
export declare const ORDER_STATUSES: readonly ['delivered', 'delivered', 'delivered', 'delivered', 'shipped', 'processing', 'cancelled', 'returned'];
export declare const TIERS: readonly ['standard', 'standard', 'standard', 'silver', 'gold', 'platinum'];
