// Word lists the seed (db.ts) combines into plausible shop data. Kept apart so db.ts stays about the
// schema and the seeding itself.
export const CATEGORIES = [
    { name: 'Kitchen', nouns: ['Chef Knife', 'Frying Pan', 'Cutting Board', 'Saucepan', 'Coffee Grinder', 'Kettle', 'Mixing Bowl'] },
    { name: 'Outdoor', nouns: ['Tent', 'Sleeping Bag', 'Headlamp', 'Camping Stove', 'Trekking Poles', 'Water Filter'] },
    { name: 'Office', nouns: ['Desk Lamp', 'Notebook', 'Fountain Pen', 'Monitor Stand', 'Desk Organiser', 'Office Chair'] },
    { name: 'Audio', nouns: ['Headphones', 'Bookshelf Speaker', 'Turntable', 'Earbuds', 'Soundbar', 'DAC'] },
    { name: 'Garden', nouns: ['Pruning Shears', 'Watering Can', 'Planter', 'Hose Reel', 'Garden Gloves', 'Trowel'] },
    { name: 'Fitness', nouns: ['Yoga Mat', 'Kettlebell', 'Resistance Bands', 'Jump Rope', 'Foam Roller', 'Dumbbell Set'] },
    { name: 'Home', nouns: ['Throw Blanket', 'Table Lamp', 'Wall Clock', 'Storage Basket', 'Candle', 'Cushion'] },
    { name: 'Travel', nouns: ['Carry-on Case', 'Packing Cubes', 'Travel Pillow', 'Daypack', 'Luggage Tag', 'Wash Bag'] },
    { name: 'Tools', nouns: ['Cordless Drill', 'Screwdriver Set', 'Tape Measure', 'Spirit Level', 'Utility Knife', 'Socket Set'] },
    { name: 'Kids', nouns: ['Building Blocks', 'Puzzle', 'Picture Book', 'Art Set', 'Balance Bike', 'Plush Bear'] },
    { name: 'Pets', nouns: ['Dog Bed', 'Cat Tree', 'Leash', 'Food Bowl', 'Chew Toy', 'Grooming Brush'] },
    { name: 'Bath', nouns: ['Bath Towel', 'Shower Caddy', 'Bath Mat', 'Soap Dispenser', 'Robe', 'Mirror'] },
];
export const BRANDS = ['Northwind', 'Acme', 'Fjordlund', 'Kestrel', 'Oakridge', 'Luma', 'Brightside', 'Tamarack',
    'Harbor & Co', 'Vela', 'Pinecrest', 'Solace', 'Atlas', 'Meridian', 'Quill', 'Ember'];
export const ADJECTIVES = ['Classic', 'Compact', 'Premium', 'Essential', 'Deluxe', 'Lightweight', 'Heavy-Duty',
    'Ergonomic', 'Modern', 'Rustic', 'Foldable', 'Wireless', 'Eco', 'Pro', 'Everyday', 'Heritage'];
export const MATERIALS = ['stainless steel', 'bamboo', 'recycled plastic', 'oak', 'cast iron', 'aluminium',
    'organic cotton', 'silicone', 'ceramic', 'wool', 'canvas', 'walnut', 'glass', 'carbon fibre'];
export const QUALITIES = ['durable', 'easy to clean', 'built to last', 'travel friendly', 'quiet', 'water resistant',
    'energy efficient', 'hand finished', 'dishwasher safe', 'award winning', 'best selling', 'space saving',
    'beginner friendly', 'professional grade', 'gift ready', 'repairable'];
export const COLOURS = ['black', 'white', 'slate', 'sand', 'forest green', 'navy', 'terracotta', 'mustard',
    'charcoal', 'sky blue', 'natural'];
export const TAGS = ['bestseller', 'new', 'sale', 'eco', 'gift', 'limited', 'bundle', 'premium', 'clearance',
    'staff-pick', 'trending', 'refurbished'];
export const FIRST_NAMES = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Lucas', 'Mia', 'Leo', 'Sofia', 'Elias',
    'Amelia', 'Mateo', 'Chloe', 'Hugo', 'Nora', 'Arjun', 'Yuki', 'Fatima', 'Kofi', 'Ingrid', 'Diego', 'Aisha',
    'Tomas', 'Priya', 'Jonas', 'Lena', 'Omar', 'Zoe', 'Ravi', 'Hannah'];
export const LAST_NAMES = ['Smith', 'Garcia', 'Müller', 'Rossi', 'Dubois', 'Nakamura', 'Okafor', 'Johansson',
    'Kowalski', 'Silva', 'Nguyen', 'Patel', 'Jensen', 'Moreau', 'Costa', 'Schmidt', 'Haddad', 'Novak', 'Berg',
    'Walsh'];
export const CITIES = [
    ['London', 'GB'], ['Manchester', 'GB'], ['Berlin', 'DE'], ['Munich', 'DE'], ['Paris', 'FR'], ['Lyon', 'FR'],
    ['Madrid', 'ES'], ['Milan', 'IT'], ['Amsterdam', 'NL'], ['Stockholm', 'SE'], ['Oslo', 'NO'], ['Warsaw', 'PL'],
    ['Lisbon', 'PT'], ['Dublin', 'IE'], ['Vienna', 'AT'], ['Copenhagen', 'DK'], ['Prague', 'CZ'], ['Zurich', 'CH'],
];
export const ORDER_STATUSES = ['delivered', 'delivered', 'delivered', 'delivered', 'shipped', 'processing',
    'cancelled', 'returned'];
export const TIERS = ['standard', 'standard', 'standard', 'silver', 'gold', 'platinum'];
//# sourceMappingURL=seed-words.js.map