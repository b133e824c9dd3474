package memconnector

// Built-in banks for Simulate: names, handles and texts in French and
// English. Placeholders: {city}, {product}, {n}, {link}, {brand}.

var firstNames = [2][]string{
	{"Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Emma", "Sarah", "Julie",
		"Céline", "Aurélie", "Élodie", "Margaux", "Hugo", "Lucas", "Théo", "Nathan", "Louis", "Jules",
		"Arthur", "Gabriel", "Mathis", "Thomas", "Nicolas", "Sébastien", "Maxime", "Antoine", "Romain", "Loïc"},
	{"Emma", "Olivia", "Ava", "Sophia", "Mia", "Harper", "Chloe", "Grace", "Megan", "Lily",
		"Hannah", "Zoe", "Ella", "Abigail", "Liam", "Noah", "Oliver", "James", "Ethan", "Mason",
		"Jack", "Ryan", "Sam", "Daniel", "Henry", "Owen", "Caleb", "Nathan", "Tyler", "Dylan"},
}

var lastNames = [2][]string{
	{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
		"Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand"},
	{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
		"Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Turner",
		"Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper"},
}

var spamNames = []struct{ handle, name string }{
	{"cash.flow", "Cash Flow 💸"}, {"crypto_queen", "Crypto Queen 💎"}, {"free.followers", "Free Followers"},
	{"forex.mentor", "Forex Mentor"}, {"promo_deals", "Promo Deals"}, {"win.bigtoday", "Win Big Today"},
	{"argent.facile", "Argent Facile"}, {"bitcoin.pro", "Bitcoin Pro"}, {"boost_insta", "Boost Insta"},
	{"gagner.vite", "Gagner Vite"}, {"sugar.daddy.ok", "Sugar Daddy"}, {"invest.marie", "Marie Invest"},
}

var cities = [2][]string{
	{"Lyon", "Marseille", "Toulouse", "Lille", "Bordeaux", "Nantes", "Strasbourg", "Montréal", "Bruxelles", "Genève"},
	{"Canada", "London", "Dublin", "Sydney", "New York", "Toronto", "Manchester", "Chicago", "Edinburgh", "Austin"},
}

var products = [2][]string{
	{"la veste en lin", "le sac cabas", "la nouvelle collection", "les baskets blanches", "le pull marin", "la gourde"},
	{"the linen jacket", "the tote bag", "the new collection", "the white sneakers", "the sailor sweater", "the water bottle"},
}

var spamLinks = []string{
	"https://bit.ly/3xFr33", "https://tinyurl.com/gainz500", "https://cutt.ly/promo-x", "https://t.ly/crypto7",
	"https://is.gd/follow4follow", "https://rb.gy/winbig",
}

// texts are the comment banks, by category and language.
var texts = [numCategories][2][]string{
	Praise: {
		{"Trop beau ! 😍", "J'adore {product}, je l'ai acheté la semaine dernière", "Bravo pour cette collection 👏",
			"Livraison super rapide, merci !", "Toujours au top, je recommande", "Magnifique, vivement la suite",
			"Le service client a été adorable avec moi, merci", "Meilleure marque, je ne m'en lasse pas",
			"Je viens de recevoir ma commande, parfait 🙌", "Superbe photo !"},
		{"Love this! 😍", "I bought {product} last week and I love it", "Great collection, well done 👏",
			"Super fast delivery, thank you!", "Always amazing, highly recommend", "Gorgeous, can't wait for more",
			"Your support team was so kind to me, thanks", "Best brand ever, never disappoints",
			"Just got my order, perfect 🙌", "Stunning photo!"},
	},
	Question: {
		{"Vous livrez à {city} ?", "C'est disponible en taille M ?", "Quel est le prix de {product} ?",
			"Vous avez une boutique à {city} ?", "Les retours sont gratuits ?", "Ce sera réassorti quand ?",
			"Ça existe en bleu ?", "Combien de temps pour la livraison à {city} ?", "C'est fabriqué où ?",
			"Il y a un code promo pour la première commande ?"},
		{"Do you ship to {city}?", "Is this available in size M?", "How much is {product}?",
			"Do you have a store in {city}?", "Are returns free?", "When will this be back in stock?",
			"Does it come in blue?", "How long does delivery to {city} take?", "Where is it made?",
			"Is there a discount code for a first order?"},
	},
	Complaint: {
		{"Votre service client est nul, trois semaines sans réponse", "Toujours pas reçu ma commande après {n} jours",
			"J'attends mon remboursement depuis un mois", "Produit arrivé abîmé et personne ne répond",
			"Déçue, la qualité a vraiment baissé", "Trop cher pour ce que c'est",
			"Le site plante à chaque paiement, c'est pénible", "Colis perdu et on me renvoie vers le transporteur",
			"{product} s'est décousu après deux lavages", "Personne ne répond au téléphone, c'est inadmissible"},
		{"Still waiting for my refund after 3 weeks", "My order hasn't arrived after {n} days",
			"Your customer service never answers", "Item arrived damaged and nobody replies",
			"Disappointed, the quality has really dropped", "Way too expensive for what it is",
			"Checkout crashes every time I try to pay", "Parcel lost and you just blame the courier",
			"{product} fell apart after two washes", "Nobody picks up the phone, unacceptable"},
	},
	Spam: {
		{"Gagnez 500€ par jour, DM moi 💰", "Je gagne {n}00€ par semaine depuis chez moi, lien dans ma bio",
			"Investis dans le Bitcoin avec moi, contacte-moi sur WhatsApp", "Des abonnés gratuits ici 👉 {link}",
			"Promo exclusive -90% 👉 {link}", "Tu veux devenir ambassadeur ? Écris-moi en privé 😉",
			"Méthode secrète pour doubler ton argent : {link}", "Cadeau pour les 100 premiers : {link}"},
		{"Check my profile for free followers", "I make ${n}00 a week from home, link in bio",
			"Invest in crypto with me, message me on WhatsApp", "Free followers here 👉 {link}",
			"Exclusive 90% off 👉 {link}", "Want to be a brand ambassador? DM me 😉",
			"Secret method to double your money: {link}", "Gift for the first 100: {link}"},
	},
	Abuse: {
		{"connard", "t'es qu'un abruti", "bande de nuls", "ferme-la", "quelle bande de guignols",
			"vous êtes vraiment des incapables, bande d'idiots", "pauvre type", "dégage, minable"},
		{"you idiot", "shut up loser", "what a bunch of clowns", "you're pathetic", "nobody cares, moron",
			"get lost, you jerk", "what an idiot", "total losers"},
	},
	Neutral: {
		{"Intéressant", "Ah d'accord", "On verra", "@{friend} regarde ça", "Première !", "Pourquoi pas",
			"Hmm", "Ok", "Je passais par là", "Vu"},
		{"Interesting", "Oh okay", "We'll see", "@{friend} look at this", "First!", "Why not",
			"Hmm", "Ok", "Just passing by", "Seen"},
	},
}

// calendar is the built-in editorial calendar of brand posts.
var calendar = [2][]string{
	{"Nouvelle collection printemps disponible dès aujourd'hui 🌸", "Les coulisses de notre atelier à Lyon ✂️",
		"Jeu concours : gagnez {product} ! Abonnez-vous et commentez", "Livraison offerte tout le week-end 🚚",
		"Rencontrez Claire, notre cheffe de produit", "Nos conseils pour entretenir {product}",
		"Merci pour vos 10 000 messages ❤️", "Bientôt en boutique à {city}"},
	{"Our spring collection is out today 🌸", "Behind the scenes at our workshop ✂️",
		"Giveaway: win {product}! Follow and comment", "Free shipping all weekend 🚚",
		"Meet Claire, our product lead", "How to care for {product}",
		"Thank you for 10,000 messages ❤️", "Coming soon to a store in {city}"},
}

// dmTexts are direct messages, by category and language.
var dmTexts = [numCategories][2][]string{
	Praise: {{"Bonjour, je voulais juste vous dire merci pour le geste commercial !", "Merci pour votre réponse rapide 🙏"},
		{"Hi, just wanted to say thanks for the goodwill gesture!", "Thanks for the quick reply 🙏"}},
	Question: {{"Bonjour, ma commande n°{n}482 est-elle partie ?", "Bonjour, puis-je modifier mon adresse de livraison ?"},
		{"Hi, has my order #{n}482 shipped?", "Hi, can I change my delivery address?"}},
	Complaint: {{"Bonjour, j'attends toujours mon remboursement, c'est la troisième fois que j'écris", "Mon colis est arrivé vide, je suis furieuse"},
		{"Hi, I'm still waiting for my refund, this is the third time I write", "My parcel arrived empty, I'm furious"}},
	Spam: {{"Salut ! Collab rémunérée ? Écris-moi sur WhatsApp", "Boostez votre compte : 10k abonnés pour 9€ {link}"},
		{"Hi! Paid collab? Text me on WhatsApp", "Boost your account: 10k followers for $9 {link}"}},
	Abuse:   {{"t'es vraiment qu'un abruti", "bande de nuls"}, {"you idiot", "shut up loser"}},
	Neutral: {{"Bonjour", "Ok merci"}, {"Hello", "Ok thanks"}},
}

// replyTexts answer other users' comments, by language.
var replyTexts = [2][]string{
	{"Pareil pour moi", "+1", "Tout à fait d'accord", "Ah bon ?", "Moi aussi j'attends", "Je confirme"},
	{"Same here", "+1", "Totally agree", "Really?", "Still waiting too", "Can confirm"},
}
